"""A group of checkboxes never carries `required`: the browser would demand every box."""

from __future__ import annotations

import re
from collections import Counter

from intake_helpers import complaint_data
from intake_helpers import file_complaint

INPUT = re.compile(r"<input[^>]*>")


def _required_group_boxes(html: str) -> list[str]:
    boxes = [tag for tag in INPUT.findall(html) if 'type="checkbox"' in tag]
    names = Counter(re.search(r'name="([^"]+)"', t).group(1) for t in boxes)  # type: ignore[union-attr]
    return [
        t
        for t in boxes
        if re.search(r"\srequired(\s|>|=)", t)
        and names[re.search(r'name="([^"]+)"', t).group(1)] > 1  # type: ignore[union-attr]
    ]


def test_no_checkbox_group_is_required_on_any_intake_page(client):
    pages = [client.get("/denunciar").get_data(as_text=True)]
    receipt, _ = file_complaint(
        client, complaint_data(modality="con_reserva", full_name="Ana", document_number="4000")
    )
    client.post("/seguimiento", data={"receipt": receipt})
    pages.append(client.get("/seguimiento").get_data(as_text=True))
    assert 'name="measures"' in pages[1]
    for html in pages:
        assert _required_group_boxes(html) == []


def test_the_check_sees_a_required_group():
    html = '<input name="m" required type="checkbox"><input name="m" required type="checkbox">'
    assert len(_required_group_boxes(html)) == 2
