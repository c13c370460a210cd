"""The catalogue, course pages, the lesson player and knowledge checks."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")
