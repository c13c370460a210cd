"""The ceiling: the lightest Flask page there is, served the same way as the platform."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "<!doctype html><html lang=en><title>Bare</title><p>Hello</p></html>"
