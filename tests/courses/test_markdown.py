"""Lesson Markdown becomes safe HTML: what trainers write works, what attackers write does not."""

from lms.courses.markdown import parser, render


def html(source: str) -> str:
    return render(parser().parse(source), lambda name: f"/courses/c/media/{name}")


def test_a_video_box_becomes_a_card_with_a_plain_link():
    result = html(
        "::: video Campaign launch (4 minutes)\n[Watch the video](https://www.youtube.com/watch?v=abc)\n:::\n"
    )

    assert '<aside class="callout callout-video">' in result
    assert '<span class="callout-title">Campaign launch (4 minutes)</span>' in result
    assert '<a href="https://www.youtube.com/watch?v=abc" rel="noopener noreferrer">Watch the video</a>' in result
    assert "<iframe" not in result


def test_script_links_handlers_and_raw_html_never_survive():
    result = html(
        '[click](javascript:alert(1)) <img src=x onerror=alert(1)> <b onclick="x">bold</b>\n\n<iframe src="https://evil.example"></iframe>'
    )

    assert 'href="javascript' not in result
    assert "<img" not in result and "<iframe" not in result and "<b " not in result
    assert "&lt;iframe" in result


def test_tables_headings_lists_and_quotes_are_kept():
    result = html("## Plan\n\n- one\n- two\n\n> a resident\n\n| a | b |\n| --- | ---: |\n| 1 | 2 |\n")

    for tag in ("<h2>Plan</h2>", "<li>one</li>", "<blockquote>", "<th>a</th>", '<td style="text-align:right">2</td>'):
        assert tag in result


def test_media_links_are_pointed_at_the_course_and_images_keep_their_description():
    result = html("![A mural by pupils](media/mural.jpg) [Checklist](media/list.txt)")

    assert '<img src="/courses/c/media/mural.jpg" alt="A mural by pupils">' in result
    assert '<a href="/courses/c/media/list.txt" rel="noopener noreferrer">Checklist</a>' in result
