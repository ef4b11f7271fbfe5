"""Each input layout, column mapping, and clear errors for the wrong shape or bad rows."""
import pytest

from coach.errors import CoachError, InputError
from coach.score.model import Conversation, Skipped
from coach.score.readers import (detect_format, load_inputs, parse_columns, read_path,
                                 signoff_agent)
from tests.score.conftest import EVAL, conv, write_jsonl


def convs(items):
    return [i for i in items if isinstance(i, Conversation)]


def test_jsonl_conversations_keep_order_and_ignore_extra_keys(tmp_path):
    row = conv("c1", "Ann", "Hello there.")
    row["channel"] = "chat"
    row["turns"][0]["lang"] = "en"
    p = write_jsonl(tmp_path / "a.jsonl", [row, "", conv("c2", "Bob", "Hi.")])
    items = read_path(str(p))
    assert [c.conversation_id for c in items] == ["c1", "c2"]
    assert [c.line for c in items] == [1, 3]
    assert [(t.role, t.agent) for t in items[0].turns] == [("customer", ""), ("agent", "Ann")]


@pytest.mark.parametrize("row, where", [
    ("{not json", "a.jsonl:2: invalid JSON"),
    ('{"agent": "A", "turns": []}', "a.jsonl:2: field 'conversation_id'"),
    ('{"conversation_id": "x", "agent": "A", "turns": []}', "a.jsonl:2: field 'turns': has no"),
    ('{"conversation_id": "x", "agent": "", "turns": [{"role": "agent", "text": "t"}]}',
     "a.jsonl:2: field 'agent'"),
    ('{"conversation_id": "x", "agent": "A", "turns": [{"role": "bot", "text": "t"}]}',
     "a.jsonl:2: field 'turns[0].role': must be one of agent, customer"),
    ('{"conversation_id": "x", "agent": "A", "turns": [{"role": "agent", "text": 5}]}',
     "a.jsonl:2: field 'turns[0].text': must be a string"),
    ('{"conversation_id": "x", "agent": "A", "turns": [{"role": "agent"}]}',
     "a.jsonl:2: field 'turns[0].text': missing field"),
])
def test_jsonl_bad_rows_become_skipped_records_naming_line_and_field(tmp_path, row, where):
    p = write_jsonl(tmp_path / "a.jsonl", [conv("ok", "A", "fine"), row, conv("ok2", "A", "x")])
    items = read_path(str(p))
    assert isinstance(items[1], Skipped) and items[1].line == 2
    assert where in items[1].error
    assert [c.conversation_id for c in convs(items)] == ["ok", "ok2"]


def test_turn_csv_with_column_mapping_and_timestamp_order(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(
        "chat,agent_name,speaker,body,sent\n"
        "k1,Zoe,agent,\"Second, by time\",2024-05-01T10:05:00Z\n"
        "k2,Yan,customer,hello,2024-05-01T09:00:00\n"
        "k1,,customer,first by time,2024-05-01T10:00:00+00:00\n"
        "k2,Yan,agent,\"multi\nline reply\",2024-05-01T09:01:00\n", encoding="utf-8")
    cols = parse_columns("conversation_id=chat,agent=agent_name,role=speaker,text=body,"
                         "timestamp=sent")
    items = read_path(str(p), cols)
    assert [(c.conversation_id, c.agent, c.line) for c in items] == [("k1", "Zoe", 2),
                                                                     ("k2", "Yan", 3)]
    assert [t.text for t in items[0].turns] == ["first by time", "Second, by time"]
    assert items[1].turns[1].text == "multi\nline reply"


def test_turn_csv_default_columns_keep_row_order_without_timestamp(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("conversation_id,agent,role,text\n1,A,Customer,hi\n1,A,AGENT,hello\n",
                 encoding="utf-8")
    [c] = read_path(str(p))
    assert [(t.role, t.text) for t in c.turns] == [("customer", "hi"), ("agent", "hello")]


def test_turn_csv_missing_column_names_the_column_and_suggests_mapping(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("conversation_id,agent,role,body\n1,A,agent,hi\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_path(str(p))
    assert "t.csv:1" in str(e.value) and "missing column(s) text" in str(e.value)
    assert "--columns" in str(e.value)


def test_turn_csv_bad_row_skips_its_whole_conversation(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("conversation_id,agent,role,text\n"
                 "1,A,customer,hi\n"
                 "2,B,agent,fine\n"
                 "1,A,robot,beep\n"
                 ",C,agent,orphan\n"
                 "1,A,agent,hello\n", encoding="utf-8")
    items = read_path(str(p))
    assert isinstance(items[0], Skipped) and items[0].conversation_id == "1"
    assert items[0].line == 4 and "field 'role'" in items[0].error
    assert isinstance(items[1], Conversation) and items[1].conversation_id == "2"
    assert isinstance(items[2], Skipped) and items[2].line == 5
    assert "field 'conversation_id'" in items[2].error


def test_twitter_layout_rebuilds_threads_with_signoff_agents():
    items = read_path(str(EVAL / "twitter_sample.csv"))
    by_id = {c.conversation_id: c for c in items}
    assert list(by_id) == ["1", "10", "20", "30"]      # order of first appearance in the file
    acme = by_id["1"]
    assert acme.agent == "AcmeAirSupport" and acme.line == 2
    # rows are out of order in the file; turns follow created_at
    assert [t.text.split()[1] for t in acme.turns] == ["my", "We", "I", "I've", "got"]
    assert [t.agent for t in acme.turns if t.role == "agent"] == [
        "AcmeAirSupport ^JD", "AcmeAirSupport -Sam"]
    # a branching thread (two replies to one tweet) stays one conversation
    assert [t.agent for t in by_id["10"].turns if t.role == "agent"] == [
        "ZapMobileHelp ~KC", "ZapMobileHelp ^MB"]
    # no sign-off -> the company handle; same initials at another company are another agent
    assert [t.agent for t in by_id["20"].turns if t.role == "agent"] == [
        "ShopNowCares", "ShopNowCares ^JD"]
    assert [t.role for t in by_id["30"].turns] == ["customer"]


@pytest.mark.parametrize("text, agent", [
    ("Sorted for you! ^JD", "Acme ^JD"), ("Happy to help - Sam", "Acme -Sam"),
    ("On it now. *TJ https://t.co/x", "Acme *TJ"), ("Call us on 0800 123 456.", "Acme"),
    ("Use the and/or filter", "Acme"),
])
def test_signoff_agent(text, agent):
    assert signoff_agent("Acme", text) == agent


def test_twitter_bad_row_skips_its_thread(tmp_path):
    src = (EVAL / "twitter_sample.csv").read_text(encoding="utf-8")
    p = tmp_path / "tw.csv"
    p.write_text(src.replace("Wed Nov 01 08:15:03 +0000 2017", "yesterday"), encoding="utf-8")
    items = read_path(str(p))
    bad = [i for i in items if isinstance(i, Skipped)]
    assert len(bad) == 1 and bad[0].conversation_id == "10"
    assert "field 'created_at'" in bad[0].error and "thread of 4 tweets" in bad[0].error
    assert [c.conversation_id for c in convs(items)] == ["1", "20", "30"]


@pytest.mark.parametrize("name, data, message", [
    ("e.jsonl", b"", "nothing to check: empty file"),
    ("e.jsonl", b"\n  \n", "nothing to check: empty file"),
    ("h.csv", b"conversation_id,agent,role,text\n", "no rows after the header"),
    ("b.jsonl", b"\x00\x01binary", "binary"),
    ("l.csv", "conversation_id,agent,role,text\n1,A,agent,caf\xe9\n".encode("latin-1"),
     "not valid UTF-8"),
    ("j.csv", b'{"conversation_id": "1"}\n', "looks like JSON Lines"),
    ("a.json", b'[{"conversation_id": "1"}]', "JSON array"),
    ("c.jsonl", b"conversation_id,agent\n", "not JSON Lines"),
])
def test_file_level_errors_name_the_file(tmp_path, name, data, message):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_path(str(p))
    assert message in str(e.value) and name in str(e.value)


def test_detect_format_by_content_when_extension_is_unknown():
    assert detect_format("x.txt", '{"a": 1}\n') == "jsonl"
    assert detect_format("x.txt", "conversation_id,agent,role,text\n") == "csv"
    assert detect_format("x.csv", ",".join(["tweet_id", "author_id", "inbound", "created_at",
                                            "text", "response_tweet_id",
                                            "in_response_to_tweet_id"]) + "\n") == "twitter"


def test_parse_columns_rejects_unknown_names():
    assert parse_columns({"text": "body"}) == {"text": "body"}
    with pytest.raises(CoachError, match="unknown column 'txt'"):
        parse_columns("txt=body")
    with pytest.raises(CoachError, match="no file column"):
        parse_columns("text=")


def test_load_inputs_numbers_items_across_files(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [conv("1", "A", "x"), conv("2", "A", "y")])
    b = write_jsonl(tmp_path / "b.jsonl", [conv("1", "B", "z")])
    items = load_inputs([str(a), str(b)])
    assert [(i.source.endswith("b.jsonl"), i.seq) for i in items] == [(False, 0), (False, 1),
                                                                      (True, 2)]
    with pytest.raises(CoachError):
        load_inputs([])


@pytest.mark.parametrize("text", [
    "We've sent a new code - Thanks!", "All sorted now - Cheers", "Any time - Best",
    "Hope that helps \u2013 Regards", "Glad to help - Thank You!", "Done - Thx", "Fixed - Ta",
    "Works on iOS / Android", "Try it on web / App", "Tap Menu * Settings",
    "Restart it ~ Then retry",
])
def test_signoff_agent_ignores_closings_and_non_initials(text):
    assert signoff_agent("Acme", text) == "Acme"


@pytest.mark.parametrize("text, agent", [
    ("On it ~KC", "Acme ~KC"), ("Refund sent /CR", "Acme /CR"), ("Done * ABC", "Acme *ABC"),
    ("Happy to help \u2014 Priya!", "Acme -Priya"),
])
def test_signoff_agent_keeps_real_signoffs(text, agent):
    assert signoff_agent("Acme", text) == agent


def test_turn_csv_and_twitter_turns_remember_their_own_rows(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("conversation_id,agent,role,text\nc1,Ann,customer,hi\n\nc1,Ann,agent,hello\n",
                 encoding="utf-8")
    (c,) = read_path(str(p))
    assert [t.line for t in c.turns] == [2, 4] and c.text_column == "text"
    tw = {c.conversation_id: c for c in read_path(str(EVAL / "twitter_sample.csv"))}["1"]
    assert tw.text_column == "text" and all(isinstance(t.line, int) for t in tw.turns)
    assert len({t.line for t in tw.turns}) == len(tw.turns)
    (j,) = read_path(str(write_jsonl(tmp_path / "a.jsonl", [conv("c1", "A", "Hello.")])))
    assert j.text_column is None and all(t.line is None for t in j.turns)


def test_oversized_csv_cell_is_not_a_file_level_error(tmp_path):
    big = "x" * 2_000_100        # over the old csv.field_size_limit (MAX_DRAFT_CHARS + 1)
    p = tmp_path / "big.csv"
    p.write_text(f"conversation_id,agent,role,text\nc1,Ann,agent,hello\nc2,Bob,agent,{big}\n"
                 "c3,Cy,agent,bye\n", encoding="utf-8")
    items = read_path(str(p))
    assert [c.conversation_id for c in convs(items)] == ["c1", "c2", "c3"]
    assert len(items[1].turns[0].text) == len(big)
