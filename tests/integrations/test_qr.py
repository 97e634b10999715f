"""Signed codes (sign, parse, check) and QR images read back by two independent decoders: zxing-cpp and
zbar (Debian's `zbarimg`). SVGs are rasterised by librsvg's `rsvg-convert`, as a browser would draw them."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from integrations import qr

KEY = b"moteplass-test-key-0123456789abcdef"
OTHER_KEY = b"moteplass-other-key-0123456789abcd"
ID = uuid.UUID("3f1c2a4e-8b7d-4c6a-9e21-5d0f7b3a1c88")
OTHER_ID = uuid.UUID("3f1c2a4e-8b7d-4c6a-9e21-5d0f7b3a1c89")
# Fixed on purpose: a change here invalidates every ticket and link already sent out.
TICKET = "T1H4OCUTULPVGGVHRBLUHXWOQ4RDYLVSS56ZTQOJQHOV3YBAHCUEBA"
MANAGE = "M1H4OCUTULPVGGVHRBLUHXWOQ4RCCQC43LMAMMGEJ34JRIMZ5HKTBA"
AGENDA = "A1H4OCUTULPVGGVHRBLUHXWOQ4RB63ILU4WM3ZRWMY26NSQWMXY3OA"
SVG_NS = "{http://www.w3.org/2000/svg}"


def program(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: `make system-deps` installs Debian's {package}")
    return found


def zbar(png: Path) -> str:
    result = subprocess.run(
        [program("zbarimg", "zbar-tools"), "--raw", "-q", str(png)], capture_output=True, text=True, check=False
    )
    return result.stdout


def rasterise(svg: str, tmp_path: Path, *, width: int) -> Path:
    source, target = tmp_path / "code.svg", tmp_path / "code-svg.png"
    source.write_text(svg, encoding="utf-8")
    subprocess.run(
        [program("rsvg-convert", "librsvg2-bin"), "--width", str(width), "--output", str(target), str(source)],
        check=True,
    )
    return target


def zxing(png: Path) -> list[tuple[str, str, str]]:
    with Image.open(png) as image:
        return [(found.text, found.ec_level, extra_of(found)["Version"]) for found in zxingcpp.read_barcodes(image)]


def extra_of(found: zxingcpp.Barcode) -> dict[str, str]:
    """The symbology's extra information: a dictionary, which zxing-cpp's stubs type as object."""
    extra = found.extra
    assert isinstance(extra, dict)
    return extra


# --- signed codes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("purpose", "expected"), [("ticket", TICKET), ("manage", MANAGE), ("agenda", AGENDA)])
def test_sign_gives_the_prefixed_uppercase_base32_code(purpose: str, expected: str) -> None:
    code = qr.sign(KEY, purpose, ID, 1)

    assert code == expected
    assert (len(code), code.isascii(), code == code.upper(), "=" in code) == (54, True, True, False)


@pytest.mark.parametrize("purpose", ["ticket", "manage", "agenda", "door"])
def test_parse_and_check_round_trip(purpose: str) -> None:
    code = qr.sign(KEY, purpose, ID, 7)

    assert (qr.parse(KEY, purpose, code), qr.check((KEY,), purpose, ID, 7, code)) == (ID, True)


def test_parse_and_check_accept_lowercase_and_surrounding_whitespace() -> None:
    scanned = f"  {TICKET.lower()}\r\n"

    assert (qr.parse(KEY, "ticket", scanned), qr.check((KEY,), "ticket", ID, 1, scanned)) == (ID, True)


def test_check_rejects_a_tampered_tag() -> None:
    position = 40  # inside the tag (the id is the first 26 characters after the prefix)
    tampered = TICKET[:position] + ("A" if TICKET[position] != "A" else "B") + TICKET[position + 1 :]

    assert (qr.parse(KEY, "ticket", tampered), qr.check((KEY,), "ticket", ID, 1, tampered)) == (ID, False)


def test_check_rejects_a_tampered_id() -> None:
    position = 10  # inside the id
    tampered = TICKET[:position] + ("A" if TICKET[position] != "A" else "B") + TICKET[position + 1 :]

    parsed = qr.parse(KEY, "ticket", tampered)

    assert parsed is not None
    assert (
        parsed == ID,
        qr.check((KEY,), "ticket", parsed, 1, tampered),
        qr.check((KEY,), "ticket", ID, 1, tampered),
    ) == (
        False,
        False,
        False,
    )


def test_check_rejects_another_purpose() -> None:
    relabelled = "T1" + MANAGE[2:]  # a manage link's body presented as a ticket

    assert (qr.parse(KEY, "ticket", MANAGE), qr.check((KEY,), "ticket", ID, 1, MANAGE)) == (None, False)
    assert (qr.parse(KEY, "ticket", relabelled), qr.check((KEY,), "ticket", ID, 1, relabelled)) == (ID, False)


def test_check_rejects_another_version() -> None:
    assert [qr.check((KEY,), "ticket", ID, version, TICKET) for version in (0, 1, 2)] == [False, True, False]


def test_check_rejects_another_key() -> None:
    assert (qr.check((OTHER_KEY,), "ticket", ID, 1, TICKET), qr.check((KEY,), "ticket", ID, 1, TICKET)) == (False, True)


def test_check_rejects_another_id() -> None:
    assert qr.check((KEY,), "ticket", OTHER_ID, 1, TICKET) is False


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "T1",
        "T1" + "A" * 51,  # one character short
        TICKET + "A",  # one character long
        TICKET[:-1],
        TICKET + "====",  # padded
        TICKET[:-1] + "B",  # the last character carries 1 bit: only A or Q are spelled that way
        "T1" + "0" * 52,  # 0, 1, 8, 9 are not base32
        "T1" + "8" * 52,
        "T1" + "Æ" * 52,
        "T1" + "ß" * 52,  # uppercases to SS: twice the length
        "T1 " + TICKET[2:],
        "X1" + TICKET[2:],
        "https://example.org/t/" + TICKET,
        "\x00" * 54,
    ],
)
def test_parse_and_check_turn_garbage_into_none_and_false(garbage: str) -> None:
    assert (qr.parse(KEY, "ticket", garbage), qr.check((KEY,), "ticket", ID, 1, garbage)) == (None, False)


# --- QR images ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [TICKET, MANAGE, AGENDA])
def test_qr_version_of_a_code_is_3(code: str) -> None:
    assert qr.qr_version(code) == 3


def test_qr_version_above_6_is_refused() -> None:
    payload = "A" * 155  # version 6 at ECC M holds 154 alphanumeric characters

    with pytest.raises(ValueError, match="needs QR version 7"):
        qr.render_png(payload)
    assert qr.qr_version("A" * 154) == 6


def test_render_png_decodes_to_the_code_with_both_decoders(tmp_path: Path) -> None:
    png = tmp_path / "code.png"

    png.write_bytes(qr.render_png(TICKET))

    assert zxing(png) == [(TICKET, "M", "3")]
    assert zbar(png) == TICKET + "\n"


def test_render_png_has_a_4_module_quiet_zone(tmp_path: Path) -> None:
    with Image.open(io.BytesIO(qr.render_png(TICKET, box_size=10))) as image:
        pixels = image.convert("L")
        size = pixels.size
        quiet_rows = {pixels.getpixel((x, y)) for x in range(size[0]) for y in [*range(40), *range(330, 370)]}
        quiet_columns = {pixels.getpixel((x, y)) for y in range(size[1]) for x in [*range(40), *range(330, 370)]}
        finder_corners = [pixels.getpixel(corner) for corner in [(40, 40), (329, 40), (40, 329)]]

    assert size == ((29 + 2 * 4) * 10, (29 + 2 * 4) * 10)
    assert (quiet_rows, quiet_columns) == ({255}, {255})
    assert finder_corners == [0, 0, 0]


def test_render_svg_is_one_path_on_white_with_a_view_box() -> None:
    root = ET.fromstring(qr.render_svg(TICKET))  # noqa: S314 (our own output)

    children = [(child.tag.removeprefix(SVG_NS), child.get("fill")) for child in root]
    assert root.get("viewBox") == "0 0 37 37"  # 29 modules + 2 × 4 quiet zone
    assert children == [("rect", "white"), ("path", "#000000")]
    path = root.find(f"{SVG_NS}path")
    assert path is not None
    assert path.get("d", "").startswith("M4,4H5V5H4z")  # drawing starts after the quiet zone


@pytest.mark.parametrize("width", [111, 370, 1000])  # 3 and 10 pixels a module, and a non-integer scale
def test_render_svg_decodes_to_the_code_with_both_decoders(tmp_path: Path, width: int) -> None:
    png = rasterise(qr.render_svg(TICKET), tmp_path, width=width)

    assert zxing(png) == [(TICKET, "M", "3")]
    assert zbar(png) == TICKET + "\n"
