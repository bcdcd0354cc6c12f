"""Readers: every format to posts with exact locations, and every bad input to an error."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint._model.positions import (
    LineIndex,
    line_starts,
    locate_in_source,
    position_of,
)
from policylint._model.posts import InputError, Post
from policylint.sources import (
    FORMATS,
    SUPPORTED_SUFFIXES,
    ReadResult,
    discover,
    format_for,
    read_bytes,
    read_path,
    read_text,
)
from policylint.sources.decode import DecodeError, decode
from policylint.sources.jsonable import MAX_DEPTH

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def at(file_text: str, post: Post, length: int | None = None) -> str:
    """The file's characters from the post's location, as many as its text has."""
    assert post.source is not None
    starts = line_starts(file_text)
    offset = starts[post.source.line - 1] + post.source.column - 1
    return file_text[offset : offset + (len(post.text) if length is None else length)]


def where(item: Post | InputError) -> tuple[int, int]:
    if isinstance(item, InputError):
        return item.line, item.column
    assert item.source is not None
    return item.source.line, item.source.column


def assert_verbatim_posts_match(file_text: str, result: ReadResult) -> None:
    """The contract of ``verbatim``: the text is the file's characters from its location."""
    for post in result.posts:
        assert post.source is not None
        if post.source.verbatim:
            assert at(file_text, post) == post.text


# --------------------------------------------------------------------------- positions


class TestPositions:
    def test_each_kind_of_line_break_counts_once(self) -> None:
        text = "ab\r\ncd\ref\ngh"
        assert line_starts(text) == [0, 4, 7, 10]
        assert position_of(text, 0) == (1, 1)
        assert position_of(text, 2) == (1, 3)  # the "\r" of "\r\n" ends line 1
        assert position_of(text, 3) == (1, 4)  # so does its "\n"
        assert position_of(text, 4) == (2, 1)
        assert position_of(text, 7) == (3, 1)
        assert position_of(text, 11) == (4, 2)

    def test_end_of_text_is_a_position_and_beyond_is_an_error(self) -> None:
        assert position_of("ab\n", 3) == (2, 1)
        with pytest.raises(ValueError):
            position_of("ab", 3)
        with pytest.raises(ValueError):
            position_of("ab", -1)

    def test_columns_count_code_points(self) -> None:
        text = "é😀x"
        assert position_of(text, 2) == (1, 3)

    def test_explicit_starts_and_line_index_agree(self) -> None:
        text = "one\r\ntwo\rthree\nfour"
        index = LineIndex(text)
        starts = line_starts(text)
        for offset in range(len(text) + 1):
            assert index.position(offset) == position_of(text, offset, starts=starts)

    def test_line_span_excludes_each_kind_of_break(self) -> None:
        index = LineIndex("ab\r\ncd\ref\n\r\n")
        spans = [index.line_span(n) for n in range(1, index.line_count + 1)]
        assert spans == [(0, 2), (4, 6), (7, 9), (10, 10), (12, 12)]

    def test_locate_in_source_maps_verbatim_text_into_the_file(self) -> None:
        post = read_text('{"id": 1,\n "text": "ab\\ncd"}', format="json").posts[0]
        assert post.source is not None and not post.source.verbatim
        # Not verbatim: everything points at the string.
        assert locate_in_source(post.source, post.text, 4) == (2, 11)
        file_text = "---\nx: 1\n---\nfirst\n  second"
        md = read_text(file_text, format="md").posts[0]
        assert md.source is not None
        assert locate_in_source(md.source, md.text, md.text.index("second")) == (5, 3)

    def test_locate_in_source_on_a_text_starting_mid_line(self) -> None:
        file_text = '[{"text": "hello\\u0021"}, {"text": "ab"}]'
        post = read_text(file_text, format="json").posts[1]
        assert post.source is not None and post.source.verbatim
        assert locate_in_source(post.source, post.text, 1) == (1, post.source.column + 1)

    @given(st.text(alphabet="ab\r\n", max_size=40))
    def test_position_of_matches_a_character_walk(self, text: str) -> None:
        starts = line_starts(text)
        line, column = 1, 1
        for offset in range(len(text) + 1):
            assert position_of(text, offset, starts=starts) == (line, column)
            if offset == len(text):
                break
            char = text[offset]
            # The "\r" of "\r\n" is not a break by itself: the break ends after the "\n".
            if char == "\n" or (char == "\r" and text[offset + 1 : offset + 2] != "\n"):
                line, column = line + 1, 1
            else:
                column += 1


# --------------------------------------------------------------------------- decoding


class TestDecode:
    def test_utf8_bom_is_dropped_and_locations_follow_the_text(self) -> None:
        data = codecs.BOM_UTF8 + b'{"text": "caf\xc3\xa9"}'
        result = read_bytes(data, path="a.json")
        assert [p.text for p in result.posts] == ["café"]
        assert where(result.posts[0]) == (1, 11)

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
    def test_utf16_and_utf32_with_bom(self, encoding: str) -> None:
        text = "Hello\r\nwörld 😀"
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        result = read_bytes(data, path="post.txt")
        assert result.errors == []
        assert result.posts[0].text == text

    def test_invalid_utf8_names_byte_line_and_column(self) -> None:
        result = read_bytes(b"first\nd\xc3\xa9j\xe0 vu", path="post.txt")
        assert result.posts == []
        [error] = result.errors
        assert "invalid UTF-8 at byte 10" in error.message
        assert (error.line, error.column) == (2, 4)  # columns count "é" once

    def test_invalid_utf16_is_an_error_too(self) -> None:
        data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
        [error] = read_bytes(data, path="a.txt").errors
        assert "invalid UTF-16" in error.message

    def test_nul_byte_means_binary(self) -> None:
        result = read_bytes(b"GIF89a\nxy\x00\x01", path="image.txt")
        assert result.posts == []
        [error] = result.errors
        assert error.message.startswith("binary file")
        assert "byte 9" in error.message
        assert (error.line, error.column) == (2, 3)

    def test_too_large(self) -> None:
        [error] = read_bytes(b"x" * 11, path="a.txt", max_bytes=10).errors
        assert error.message.startswith("file too large")
        assert read_bytes(b"x" * 10, path="a.txt", max_bytes=10).errors == []

    def test_decode_raises_its_own_error_type(self) -> None:
        with pytest.raises(DecodeError):
            decode(b"\xff")

    def test_newlines_are_kept_exactly(self) -> None:
        assert decode(b"a\r\nb\rc\n") == "a\r\nb\rc\n"


# --------------------------------------------------------------------------- plain text


class TestText:
    def test_whole_file_is_one_verbatim_post(self) -> None:
        text = "Hello\r\nworld\r"
        result = read_text(text, path="a.txt", default_platform="Twitter", default_meta={"a": 1})
        [post] = result.posts
        assert post.text == text
        assert post.id is None
        assert post.platform == "x"
        assert post.meta == {"a": 1}
        assert post.source is not None
        assert (post.source.path, post.source.line, post.source.column) == ("a.txt", 1, 1)
        assert post.source.verbatim

    def test_empty_file_is_an_empty_post(self) -> None:
        result = read_bytes(b"", path="empty.txt")
        assert result.errors == []
        assert [p.text for p in result.posts] == [""]

    def test_default_meta_is_copied_not_shared(self) -> None:
        defaults: dict[str, Any] = {"tags": ["a"]}
        post = read_text("x", default_meta=defaults).posts[0]
        defaults["tags"].append("b")
        assert post.meta == {"tags": ["a"]}


# --------------------------------------------------------------------------- markdown


class TestMarkdown:
    def test_fixture_front_matter_goes_to_meta(self) -> None:
        result = read_path(FIXTURES / "post.md")
        assert result.errors == []
        [post] = result.posts
        assert post.id == "0042"  # as written, not the number 42
        assert post.platform == "x"
        assert post.meta == {
            "sponsored": True,
            "media": [{"type": "image", "alt": "Our team at the summit"}],
            "campaign": "summit",
        }
        assert post.text == "Great to see everyone at the **summit**!\n#events\n"
        assert where(post) == (11, 1)
        assert post.source is not None and post.source.verbatim

    def test_without_front_matter_the_file_is_the_body(self) -> None:
        text = "# Title\n\n---\nnot front matter\n"
        [post] = read_text(text, format="md").posts
        assert post.text == text
        assert where(post) == (1, 1)

    @pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
    def test_body_location_with_every_newline(self, newline: str) -> None:
        text = newline.join(["---", "platform: li", "region: EU", "---", "Body", "more"])
        [post] = read_text(text, format="markdown").posts
        assert post.text == f"Body{newline}more"
        assert post.platform == "linkedin"
        assert post.meta == {"region": "EU"}
        assert where(post) == (5, 1)

    def test_dots_close_front_matter_and_trailing_blanks_are_allowed(self) -> None:
        [post] = read_text("--- \nid: a\n...\t\nBody", format="md").posts
        assert (post.id, post.text) == ("a", "Body")

    def test_empty_front_matter(self) -> None:
        result = read_text("---\n---\nBody", format="md", default_meta={"team": "x"})
        assert [(p.text, p.meta) for p in result.posts] == [("Body", {"team": "x"})]

    def test_meta_key_merges_over_default_meta(self) -> None:
        text = "---\nregion: EU\nmeta: {team: b, lang: en}\n---\nBody"
        [post] = read_text(text, format="md", default_meta={"team": "a", "x": 1}).posts
        assert post.meta == {"team": "b", "x": 1, "region": "EU", "lang": "en"}

    def test_malformed_front_matter_is_located_in_the_file(self) -> None:
        text = "---\nplatform: x\nmedia: [a, b\n---\nBody"
        result = read_text(text, path="p.md", format="md")
        assert result.posts == []
        [error] = result.errors
        assert error.message.startswith("front matter: invalid YAML")
        # The flow list opened on line 3 runs into the end of the front matter (line 4).
        assert (error.line, error.column) == (4, 1)

    def test_front_matter_error_column_is_offset_correctly(self) -> None:
        text = "---\r\nid: a\r\nplatform: x: y\r\n---\r\nBody"
        [error] = read_text(text, format="md").errors
        assert (error.line, error.column) == (3, 12)

    def test_front_matter_must_be_a_mapping(self) -> None:
        result = read_text("---\n- a\n- b\n---\nBody", format="md")
        assert result.posts == []
        [error] = result.errors
        assert "must be a mapping" in error.message
        assert (error.line, error.column) == (2, 1)

    def test_unclosed_front_matter(self) -> None:
        result = read_text("---\nplatform: x\nBody", format="md")
        assert result.posts == []
        assert "never closed" in result.errors[0].message

    def test_bad_field_is_located_at_its_value(self) -> None:
        [error] = read_text("---\nplatform: x\nmeta: [1]\n---\nBody", format="md").errors
        assert "'meta' must be a mapping" in error.message
        assert (error.line, error.column) == (3, 7)

    def test_only_safe_yaml_is_loaded(self) -> None:
        text = "---\nx: !!python/object/apply:os.system ['echo hi']\n---\nBody"
        result = read_text(text, format="md")
        assert result.posts == []
        assert "invalid YAML" in result.errors[0].message


# --------------------------------------------------------------------------- JSON


class TestJson:
    def test_list_of_posts_with_locations(self) -> None:
        text = (
            "[\n"
            '  {"id": 7, "platform": "fb", "text": "Hello world", "sponsored": true},\n'
            '  {"meta": {"text": "decoy"}, "region": "EU",\n'
            '   "text": "Second"}\n'
            "]\n"
        )
        result = read_text(text, path="a.json", format="json", default_platform="linkedin")
        assert result.errors == []
        first, second = result.posts
        assert (first.id, first.platform, first.meta) == ("7", "facebook", {"sponsored": True})
        assert where(first) == (2, 40)
        assert second.id == "3"  # the line the record starts on
        assert second.platform == "linkedin"
        assert second.meta == {"region": "EU", "text": "decoy"}
        assert where(second) == (4, 13)  # the record's own text, not the one in its meta
        assert_verbatim_posts_match(text, result)
        assert all(p.source is not None and p.source.verbatim for p in result.posts)

    def test_escapes_make_the_location_not_verbatim(self) -> None:
        text = '{"text": "Caf\\u00e9 \\"open\\""}'
        [post] = read_text(text, format="json").posts
        assert post.text == 'Café "open"'
        assert post.source is not None and not post.source.verbatim
        assert where(post) == (1, 11)

    def test_single_object_and_posts_container_with_defaults(self) -> None:
        assert [p.text for p in read_text('{"text": "one"}', format="json").posts] == ["one"]
        text = json.dumps(
            {
                "platform": "tiktok",
                "campaign": "spring",
                "meta": {"team": "social"},
                "posts": [{"text": "a"}, {"text": "b", "platform": "x", "meta": {"team": "b"}}],
            },
            indent=2,
        )
        result = read_text(text, format="json", default_meta={"org": "acme"})
        assert [(p.platform, p.meta) for p in result.posts] == [
            ("tiktok", {"org": "acme", "campaign": "spring", "team": "social"}),
            ("x", {"org": "acme", "campaign": "spring", "team": "b"}),
        ]
        assert_verbatim_posts_match(text, result)

    def test_text_fallbacks_in_order(self) -> None:
        text = (
            '[{"caption": "c", "content": "d"}, {"body": "b", "caption": "c"},'
            ' {"text": null, "content": "d"}]'
        )
        posts = read_text(text, format="json").posts
        assert [p.text for p in posts] == ["c", "b", "d"]
        assert posts[0].meta == {"content": "d"}
        assert_verbatim_posts_match(text, read_text(text, format="json"))

    def test_blank_platform_falls_back_to_the_default(self) -> None:
        text = '[{"text": "a", "platform": " "}, {"text": "b", "platform": "Instagram"}]'
        posts = read_text(text, format="json", default_platform="li").posts
        assert [p.platform for p in posts] == ["linkedin", "instagram"]

    def test_records_sharing_a_line_get_distinct_ids(self) -> None:
        posts = read_text('[{"text": "a"}, {"text": "b"}]', format="json").posts
        assert [p.id for p in posts] == ["1:2", "1:17"]

    def test_bad_records_are_errors_and_the_others_are_read(self) -> None:
        text = (
            "[\n"
            '  {"text": "good"},\n'
            '  {"id": 1, "platform": "x"},\n'
            "  42,\n"
            '  {"text": ["not", "a", "string"]},\n'
            '  {"id": true, "text": "bad id"},\n'
            '  {"text": "also good"}\n'
            "]"
        )
        result = read_text(text, format="json")
        assert [p.text for p in result.posts] == ["good", "also good"]
        assert len(result.errors) == 4
        assert [where(e) for e in result.errors] == [(3, 3), (4, 3), (5, 12), (6, 10)]
        assert "no text" in result.errors[0].message
        assert "expected a post object" in result.errors[1].message
        assert "'text' must be a string" in result.errors[2].message
        assert "'id' must be" in result.errors[3].message

    def test_malformed_json_is_one_located_error(self) -> None:
        result = read_text('[\r  {"text": "a"},\r  {"text": "b",}\r]', format="json")
        assert result.posts == []
        [error] = result.errors
        assert error.message.startswith("invalid JSON")
        assert (error.line, error.column) == (3, 16)  # lone CRs count as line breaks

    @pytest.mark.parametrize("text", ["", "  \n\t"])
    def test_empty_json_file_is_an_error(self, text: str) -> None:
        [error] = read_text(text, format="json").errors
        assert "empty" in error.message

    def test_empty_list_is_no_posts_and_no_error(self) -> None:
        assert read_text("[]", format="json") == ReadResult([], [])
        assert read_text('{"posts": []}', format="json") == ReadResult([], [])

    def test_top_level_scalar_is_an_error(self) -> None:
        [error] = read_text('\n "just text"', format="json").errors
        assert "expected a post object" in error.message
        assert (error.line, error.column) == (2, 2)

    def test_deeply_nested_json_is_an_error_not_a_crash(self) -> None:
        result = read_text("[" * 100_000 + "]" * 100_000, format="json")
        assert result.posts == []
        assert "nested too deeply" in result.errors[0].message

    def test_deep_meta_is_an_error_for_that_record(self) -> None:
        depth = MAX_DEPTH + 50
        deep = "[" * depth + "]" * depth
        text = f'[{{"text": "a", "x": {deep}}}, {{"text": "b"}}]'
        result = read_text(text, format="json")
        assert [p.text for p in result.posts] == ["b"]
        assert "nested" in result.errors[0].message

    def test_duplicate_keys_last_wins_for_text_and_location(self) -> None:
        [post] = read_text('{"text": "first", "text": "second"}', format="json").posts
        assert post.text == "second"
        assert where(post) == (1, 28)

    @settings(max_examples=60, deadline=None)
    @given(
        texts=st.lists(st.text(max_size=30), min_size=1, max_size=5),
        indent=st.sampled_from([None, 0, 2]),
        ensure_ascii=st.booleans(),
    )
    def test_any_text_round_trips_with_a_true_location(
        self, texts: list[str], indent: int | None, ensure_ascii: bool
    ) -> None:
        records = [{"meta": {"text": "decoy"}, "text": t} for t in texts]
        file_text = json.dumps(records, indent=indent, ensure_ascii=ensure_ascii)
        result = read_text(file_text, format="json")
        assert [p.text for p in result.posts] == texts
        assert_verbatim_posts_match(file_text, result)
        for post in result.posts:
            assert post.source is not None
            # Verbatim or not, the location is the string's first character.
            assert at(file_text, post, 0) == "" and file_text[_offset(file_text, post) - 1] == '"'


def _offset(file_text: str, post: Post) -> int:
    assert post.source is not None
    return line_starts(file_text)[post.source.line - 1] + post.source.column - 1


# --------------------------------------------------------------------------- JSON Lines


class TestJsonLines:
    def test_one_post_per_line_with_line_ids(self) -> None:
        text = '{"text": "a", "platform": "bsky"}\r\n\r\n  {"id": "x", "text": "b"}\r\n'
        result = read_text(text, format="jsonl")
        assert result.errors == []
        assert [(p.id, p.text, p.platform) for p in result.posts] == [
            ("1", "a", "bluesky"),
            ("x", "b", None),
        ]
        assert [where(p) for p in result.posts] == [(1, 11), (3, 24)]
        assert_verbatim_posts_match(text, result)

    def test_bad_lines_are_errors_and_other_lines_are_read(self) -> None:
        text = "\n".join(
            [
                '{"text": "one"}',
                '{"text": "two",, }',
                "[1, 2]",
                '{"platform": "x"}',
                "[" * 50_000,
                '{"text": "six"}',
            ]
        )
        result = read_text(text, path="p.ndjson", format="ndjson")
        assert [(p.id, p.text) for p in result.posts] == [("1", "one"), ("6", "six")]
        assert len(result.errors) == 4
        assert [where(e) for e in result.errors] == [(2, 16), (3, 1), (4, 1), (5, 1)]
        assert result.errors[0].message.startswith("invalid JSON")
        assert all(e.path == "p.ndjson" for e in result.errors)

    def test_empty_file_is_no_posts(self) -> None:
        assert read_bytes(b"", path="a.jsonl") == ReadResult([], [])
        assert read_text("\n \n", format="jsonl") == ReadResult([], [])


# --------------------------------------------------------------------------- CSV


class TestCsv:
    def test_fixture_calendar(self) -> None:
        path = FIXTURES / "calendar.csv"
        result = read_path(path, default_meta={"org": "acme"})
        file_text = path.read_bytes().decode()
        first, second, third = result.posts
        assert (first.id, first.platform, first.text) == (
            "2",
            "linkedin",
            "We are hiring, apply today!",
        )
        assert first.meta == {
            "org": "acme",
            "date": "2024-05-01",
            "sponsored": False,
            "industry": "tech",
            "region": "EU",
        }
        assert where(first) == (2, 22)
        assert at(file_text, first) == first.text
        # A quoted field spanning lines keeps its CRLF and doubled quotes make it not verbatim.
        assert second.text == 'Big news:\r\nour "spring" sale starts now'
        assert (second.id, second.platform, second.meta["sponsored"]) == ("3", "x", True)
        assert where(second) == (3, 21)
        assert second.source is not None and not second.source.verbatim
        # The ragged row on line 5 is an error; the row after it is still read, empty cells
        # are absent from meta.
        assert (third.id, third.platform, third.meta["sponsored"]) == ("6", "facebook", False)
        assert "region" not in third.meta
        [error] = result.errors
        assert (error.line, error.column) == (5, 1)
        assert "7 cells but the header has 6" in error.message

    def test_multiline_fields_keep_line_numbers(self) -> None:
        text = 'id,text\n1,"a\nb\nc"\n2,"d\re"\n3,plain\n'
        result = read_text(text, format="csv")
        assert [(p.id, p.text) for p in result.posts] == [
            ("1", "a\nb\nc"),
            ("2", "d\re"),
            ("3", "plain"),
        ]
        assert [where(p) for p in result.posts] == [(2, 4), (5, 4), (7, 3)]
        assert all(p.source is not None and p.source.verbatim for p in result.posts)
        assert_verbatim_posts_match(text, result)

    def test_lone_cr_line_endings(self) -> None:
        # Old Mac spreadsheet exports end lines with a lone "\r".
        result = read_text('text,id\ra,\r"b\rc",x\rd,\r', format="csv")
        assert [(p.id, p.text) for p in result.posts] == [("2", "a"), ("x", "b\rc"), ("5", "d")]
        assert [where(p) for p in result.posts] == [(2, 1), (3, 2), (5, 1)]

    def test_ragged_rows_are_counted_and_others_read(self) -> None:
        text = "text,platform\na,x\nb\nc,x,extra\nd,li\n"
        result = read_text(text, format="csv")
        assert [p.text for p in result.posts] == ["a", "d"]
        assert [e.line for e in result.errors] == [3, 4]

    def test_blank_rows_are_skipped(self) -> None:
        result = read_text("text,x\n\n,\na,\n", format="csv")
        assert result.errors == []
        assert [(p.id, p.text) for p in result.posts] == [("4", "a")]

    def test_empty_text_cell_is_a_record_without_text(self) -> None:
        result = read_text("platform,text,region\nx,,EU\nx,hi,EU\n", format="csv")
        assert [p.text for p in result.posts] == ["hi"]
        [error] = result.errors
        assert "no text" in error.message
        assert error.line == 2

    def test_header_is_trimmed_and_lower_cased_and_caption_is_a_text_column(self) -> None:
        [post] = read_text(" Caption ,Industry,,\nHello,Finance,x,TRUE\n", format="csv").posts
        assert post.text == "Hello"
        assert post.meta == {"industry": "Finance", "column_3": "x", "column_4": True}

    def test_header_problems_are_file_errors(self) -> None:
        [missing] = read_text("title,platform\na,x\n", format="csv").errors
        assert "no text column" in missing.message
        [duplicate] = read_text("text,Text\na,b\n", format="csv").errors
        assert "duplicate column 'text'" in duplicate.message
        [empty] = read_bytes(b"", path="a.csv").errors
        assert "empty CSV" in empty.message

    def test_header_only_is_no_posts(self) -> None:
        assert read_text("text,platform\r\n", format="csv") == ReadResult([], [])

    def test_unclosed_quote_is_an_error_not_a_swallowed_file(self) -> None:
        result = read_text('text\nok\n"never closed\nmore\n', format="csv")
        assert [p.text for p in result.posts] == ["ok"]
        [error] = result.errors
        assert error.line == 3
        assert "invalid CSV" in error.message

    def test_meta_column_holds_json(self) -> None:
        text = 'text,meta\na,"{""media"": [{""alt"": ""x""}]}"\nb,not json\n'
        result = read_text(text, format="csv")
        assert [(p.text, p.meta) for p in result.posts] == [("a", {"media": [{"alt": "x"}]})]
        [error] = result.errors
        assert "'meta' column must hold a JSON object" in error.message
        assert (error.line, error.column) == (3, 3)

    @pytest.mark.parametrize("delimiter", [";", "\t"])
    def test_semicolon_and_tab_delimiters(self, delimiter: str) -> None:
        text = delimiter.join(["id", "text", "region"]) + "\n" + delimiter.join(["1", "a, b", "EU"])
        [post] = read_text(text, format="csv").posts
        assert (post.text, post.meta) == ("a, b", {"region": "EU"})
        assert where(post) == (2, 3)

    @settings(max_examples=60, deadline=None)
    @given(
        rows=st.lists(
            st.tuples(
                st.text(alphabet='ab ,"\r\n;é', min_size=1, max_size=12).filter(
                    lambda t: t.strip() != ""
                ),
                st.text(alphabet='xy,"\n', max_size=6),
            ),
            min_size=1,
            max_size=6,
        ),
        quote_all=st.booleans(),
    )
    def test_any_cells_round_trip_with_a_true_location(
        self, rows: list[tuple[str, str]], quote_all: bool
    ) -> None:
        buffer = io.StringIO(newline="")
        # Minimal quoting only quotes the line terminator's characters: with "\r\n" as the
        # terminator, a cell holding a lone "\r" is quoted, as spreadsheets do.
        writer = csv.writer(
            buffer,
            lineterminator="\n" if quote_all else "\r\n",
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )
        writer.writerow(["note", "text"])
        for text, note in rows:
            writer.writerow([note, text])
        file_text = buffer.getvalue()
        result = read_text(file_text, format="csv")
        assert result.errors == []
        assert [p.text for p in result.posts] == [text for text, _ in rows]
        assert_verbatim_posts_match(file_text, result)


# --------------------------------------------------------------------------- YAML


class TestYaml:
    def test_fixture_calendar(self) -> None:
        path = FIXTURES / "calendar.yaml"
        file_text = path.read_text()
        result = read_path(path)
        first, second, third = result.posts
        assert (first.id, first.platform) == ("launch-1", "linkedin")
        assert first.meta == {
            "campaign": "spring-launch",
            "owner": "comms",
            "date": "2024-05-01",  # dates become ISO strings
            "sponsored": True,
        }
        assert where(first) == (8, 11)
        assert first.source is not None and first.source.verbatim
        assert (
            second.text
            == "Line one of a longer post.\nLine two, with a link: https://example.com\n"
        )
        assert second.platform == "instagram"
        assert second.meta["media"] == [{"type": "image", "alt": "Two people at a desk"}]
        assert second.id == "11"
        assert where(second) == (12, 7)  # the block's first content character
        assert second.source is not None and not second.source.verbatim  # indentation removed
        assert third.text == 'Tagged "quote" inside'
        assert where(third) == (17, 15)
        assert_verbatim_posts_match(file_text, result)
        [error] = result.errors
        assert "no text" in error.message
        assert (error.line, error.column) == (19, 5)

    def test_list_and_single_mapping(self) -> None:
        result = read_text("- text: a\n- text: 'b'\n", format="yml")
        assert [(p.id, p.text) for p in result.posts] == [("1", "a"), ("2", "b")]
        assert [where(p) for p in result.posts] == [(1, 9), (2, 10)]
        [post] = read_text("text: Hello\nplatform: threads\n", format="yaml").posts
        assert (post.text, post.platform) == ("Hello", "threads")

    def test_values_are_taken_as_written(self) -> None:
        [post] = read_text(
            "id: 0042\ntext: no\nplatform: yt\nlaunch: 2024-05-01 10:00:00\n", format="yaml"
        ).posts
        assert (post.id, post.text, post.platform) == ("0042", "no", "youtube")
        assert post.meta == {"launch": "2024-05-01T10:00:00"}

    def test_single_line_block_is_verbatim(self) -> None:
        text = "- text: |\n    Just one line\n  id: a\n"
        [post] = read_text(text, format="yaml").posts
        assert post.text == "Just one line\n"
        assert where(post) == (2, 5)
        assert post.source is not None and post.source.verbatim

    def test_lone_cr_and_unicode_line_separators(self) -> None:
        # PyYAML counts U+2028 as a line break; editors and our positions do not.
        result = read_text('- text: "a\u2028b"\r- text: c\r', format="yaml")
        assert [where(p) for p in result.posts] == [(1, 10), (2, 9)]

    def test_malformed_yaml_is_located(self) -> None:
        result = read_text("- text: a\n- text: [b\n- text: c\n", format="yaml")
        assert result.posts == []
        [error] = result.errors
        assert error.message.startswith("invalid YAML")
        assert (error.line, error.column) == (3, 7)

    def test_documents_before_an_error_are_kept(self) -> None:
        result = read_text("- text: a\n---\n- text: b\n---\n- text: [\n", format="yaml")
        assert [p.text for p in result.posts] == ["a", "b"]
        assert len(result.errors) == 1

    def test_bad_records_are_errors_and_the_others_are_read(self) -> None:
        text = "- text: a\n- just a string\n- text: [1]\n- text: b\n  meta: 3\n- text: c\n"
        result = read_text(text, format="yaml")
        assert [p.text for p in result.posts] == ["a", "c"]
        assert [where(e) for e in result.errors] == [(2, 3), (3, 9), (5, 9)]

    def test_alias_bomb_and_self_reference_are_errors_for_their_record(self) -> None:
        lines = ["base: &l0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in range(1, 7):
            lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 10)}]")
        bomb = "posts:\n  - text: boom\n    payload: *l6\n  - text: fine\n"
        result = read_text("\n".join(lines) + "\n" + bomb, format="yaml")
        # The anchors sit in the container, so every post would carry them as meta...
        assert result.posts == []
        assert len(result.errors) == 2
        assert all("more than" in e.message for e in result.errors)
        cyclic = read_text("- &a {text: hi, self: *a}\n- text: ok\n", format="yaml")
        assert [p.text for p in cyclic.posts] == ["ok"]
        assert "refers to itself" in cyclic.errors[0].message

    @settings(max_examples=80, deadline=None)
    @given(
        texts=st.lists(
            st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=25)
            | st.text(alphabet="ab :#'\"\n-", max_size=12),
            min_size=1,
            max_size=4,
        ),
        style=st.sampled_from([None, '"', "'", "|", ">"]),
        flow=st.booleans(),
    )
    def test_any_text_round_trips_with_a_true_location(
        self, texts: list[str], style: str | None, flow: bool
    ) -> None:
        file_text = yaml.safe_dump(
            [{"id": str(i), "text": t} for i, t in enumerate(texts)],
            default_style=style,
            default_flow_style=flow,
            allow_unicode=True,
        )
        result = read_text(file_text, format="yaml")
        assert result.errors == []
        assert [p.text for p in result.posts] == texts
        assert_verbatim_posts_match(file_text, result)

    def test_empty_file_is_no_posts(self) -> None:
        assert read_text("# only a comment\n", format="yaml") == ReadResult([], [])

    def test_top_level_scalar_is_an_error(self) -> None:
        [error] = read_text("just text", format="yaml").errors
        assert "expected a list of posts" in error.message

    def test_only_safe_yaml_is_loaded(self) -> None:
        result = read_text("- text: !!python/name:os.system x\n", format="yaml")
        assert result.posts == []
        assert result.errors[0].message.startswith("invalid YAML")


# --------------------------------------------------------------------------- read_path & co


class TestReadPath:
    def test_missing_file_and_directory_are_errors(self, tmp_path: Path) -> None:
        [missing] = read_path(tmp_path / "nope.md").errors
        assert missing.message == "cannot read file: no such file"
        assert missing.path == str(tmp_path / "nope.md")
        [folder] = read_path(tmp_path).errors
        assert "is a directory" in folder.message

    def test_unknown_suffix_is_plain_text_and_format_can_be_forced(self, tmp_path: Path) -> None:
        path = tmp_path / "draft.post"
        path.write_text('{"text": "x"}')
        assert [p.text for p in read_path(path).posts] == ['{"text": "x"}']
        assert [p.text for p in read_path(path, format="json").posts] == ["x"]

    def test_suffix_is_case_insensitive(self, tmp_path: Path) -> None:
        path = tmp_path / "POSTS.JSONL"
        path.write_text('{"text": "x"}\n')
        assert [p.id for p in read_path(path).posts] == ["1"]

    def test_too_large_file_is_refused_before_reading(self, tmp_path: Path) -> None:
        path = tmp_path / "big.txt"
        path.write_bytes(b"x" * 100)
        [error] = read_path(path, max_bytes=99).errors
        assert error.message.startswith("file too large")

    def test_read_text_drops_a_leading_bom(self) -> None:
        [post] = read_text('\ufeff{"text": "a"}', format="json").posts
        assert (post.text, where(post)) == ("a", (1, 11))

    def test_escaped_keys_are_decoded(self) -> None:
        [post] = read_text('{"t\\u0065xt": "x"}', format="json").posts
        assert (post.text, where(post)) == ("x", (1, 16))

    def test_read_text_defaults_to_stdin_and_plain_text(self) -> None:
        [post] = read_text('{"text": "x"}').posts
        assert post.source is not None and post.source.path == "<stdin>"
        assert post.text == '{"text": "x"}'

    def test_format_names_and_aliases(self) -> None:
        assert FORMATS == ("txt", "markdown", "json", "jsonl", "csv", "yaml")
        for alias in ("md", ".md", "MARKDOWN"):
            assert read_text("---\nid: a\n---\nx", format=alias).posts[0].id == "a"
        with pytest.raises(ValueError, match="unknown format"):
            read_text("x", format="docx")

    def test_format_for_and_supported_suffixes(self) -> None:
        expected = {".txt", ".md", ".markdown", ".json", ".jsonl", ".ndjson", ".csv", ".yaml"}
        assert expected | {".yml"} == SUPPORTED_SUFFIXES
        assert format_for("a/b.YML") == "yaml"
        assert format_for(Path("x.ndjson")) == "jsonl"
        assert format_for("notes.docx") is None
        assert format_for("Makefile") is None


# --------------------------------------------------------------------------- discover


class TestDiscover:
    @pytest.fixture
    def tree(self, tmp_path: Path) -> Path:
        files = [
            "b.md",
            "a.txt",
            "a/z.json",
            "a/b/c.yaml",
            "notes.docx",
            ".hidden.md",
            ".git/config.txt",
            ".venv/lib/x.md",
            "node_modules/pkg/readme.md",
            "drafts/wip.md",
            "archive/2023/old.csv",
            "archive/keep.csv",
            "deep/archive/x.md",
            "c.MD",
            "d.bak.md",
        ]
        for name in files:
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x")
        return tmp_path

    def relative(self, root: Path, paths: list[Path]) -> list[str]:
        return [p.relative_to(root).as_posix() for p in paths]

    def test_walks_supported_files_sorted_skipping_hidden(self, tree: Path) -> None:
        found = self.relative(tree, list(discover([tree])))
        # Sorted on path components: a folder's files stay together.
        assert found == [
            "a/b/c.yaml",
            "a/z.json",
            "a.txt",
            "archive/2023/old.csv",
            "archive/keep.csv",
            "b.md",
            "c.MD",
            "d.bak.md",
            "deep/archive/x.md",
            "drafts/wip.md",
        ]

    def test_exclude_names_paths_and_double_star(self, tree: Path) -> None:
        found = self.relative(
            tree, list(discover([tree], exclude=["drafts", "*.bak.md", "archive/2023/*"]))
        )
        assert "drafts/wip.md" not in found
        assert "d.bak.md" not in found
        assert "archive/2023/old.csv" not in found
        assert "archive/keep.csv" in found
        assert "deep/archive/x.md" in found
        found = self.relative(tree, list(discover([tree], exclude=["**/archive/*"])))
        assert not [f for f in found if "archive" in f]
        assert len(found) == 7

    def test_explicit_files_are_kept_whatever_the_suffix_even_missing(self, tree: Path) -> None:
        found = list(discover([tree / "notes.docx", tree / "missing.md", tree / ".hidden.md"]))
        assert found == [tree / "notes.docx", tree / "missing.md", tree / ".hidden.md"]
        # ...and reading the missing one reports it rather than dropping it.
        assert read_path(found[1]).errors[0].message == "cannot read file: no such file"

    def test_exclude_applies_to_explicit_files(self, tree: Path) -> None:
        assert list(discover([tree / "d.bak.md"], exclude=["*.bak.md"])) == []

    def test_same_file_twice_is_read_once_in_given_order(self, tree: Path) -> None:
        found = list(discover([tree / "b.md", tree / "a", tree / "a" / "z.json"]))
        assert self.relative(tree, found) == ["b.md", "a/b/c.yaml", "a/z.json"]

    def test_name_patterns_and_the_folders_above_the_walk(
        self, tree: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A folder named explicitly is excluded as such...
        assert list(discover([tree / "drafts"], exclude=["drafts"])) == []
        # ...but a name matching a folder above an absolute path does not exclude everything,
        found = self.relative(tree / "a", list(discover([tree / "a"], exclude=[tree.name])))
        assert found == ["b/c.yaml", "z.json"]
        # while every component of a relative path (inside the project) is looked at.
        monkeypatch.chdir(tree)
        assert list(discover(["drafts/wip.md", "./a/z.json"], exclude=["drafts"])) == [
            Path("a/z.json")
        ]
