"""``/docs`` is served from the package: its page, start-up script and Swagger UI files."""

from __future__ import annotations

from typing import Any


def test_docs_and_their_files_come_from_the_server(client: Any) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "<script>" not in page.text  # nothing inline: the policy allows files from 'self' only
    for path in ("/docs/init.js", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 20, path
        assert "//" not in page.text.replace("http://www.w3.org", "") or "cdn" not in page.text
    assert client.get("/docs/assets/../app.py").status_code == 404
    assert client.get("/docs/assets/other.js").status_code == 404
    assert client.get("/redoc").status_code == 404
