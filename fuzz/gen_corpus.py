#!/usr/bin/env python3
"""Seed inputs for the EVTX fuzz targets, built by hand from the format description
(libyal's "Windows XML Event Log (EVTX)"): files, chunks and record Binary XML that
cover every token (0x00-0x0f and their 0x40 forms), every value type (0x00-0x15),
nested Binary XML (0x21), arrays (0x81..), inline and back-referenced templates and
names, element starts without a dependency id, and the kinds of damage the reader
must survive. Everything here is synthetic; nothing is copied from real logs.

usage: fuzz/gen_corpus.py [OUTDIR]   (default: fuzz/corpus next to this script)
"""
import os
import struct
import sys
import zlib

CHUNK = 65536
HEADER = 4096


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def utf16(s):
    return s.encode("utf-16-le")


def name_hash(s):
    h = 0
    for ch in s:
        h = (h * 65599 + ord(ch)) & 0xFFFFFFFF
    return h & 0xFFFF


FT_2024 = 133500000000000000  # a FILETIME in 2024


# --- Binary XML ------------------------------------------------------------------


class Names:
    """Per-chunk table of names already written (chunk offset by name)."""

    def __init__(self):
        self.at = {}
        self.templates = {}


class BX:
    """Binary XML written at a known chunk offset, so that name and template
    offsets (which are chunk-relative) come out right."""

    def __init__(self, base, names, dep_ids=True):
        self.base = base
        self.b = bytearray()
        self.names = names
        self.dep_ids = dep_ids

    def pos(self):
        return self.base + len(self.b)

    def raw(self, data):
        self.b += data
        return self

    def name(self, s, inline=None):
        """A name reference; the name is written inline unless it is already in the
        chunk (or inline=True forces a new copy)."""
        if inline is None:
            inline = s not in self.names.at
        if not inline:
            self.b += u32(self.names.at[s])
            return self
        off = self.pos() + 4
        self.b += u32(off)
        self.b += u32(0) + u16(name_hash(s)) + u16(len(s)) + utf16(s) + u16(0)
        self.names.at.setdefault(s, off)
        return self

    def fragment_header(self):
        return self.raw(b"\x0f\x01\x01\x00")

    def eof(self):
        return self.raw(b"\x00")

    def open(self, name, attrs=None, dep=None):
        """Element start (0x01, or 0x41 with attributes). attrs: list of
        (name, [parts]) where a part is a callable writing value tokens."""
        dep = self.dep_ids if dep is None else dep
        self.b += u8(0x41 if attrs else 0x01)
        if dep:
            self.b += u16(0xFFFF)
        self.b += u32(0)  # data size: not checked by readers
        self.name(name)
        if attrs:
            self.b += u32(0)  # attribute list size
            for i, (an, parts) in enumerate(attrs):
                self.b += u8(0x46 if i + 1 < len(attrs) else 0x06)
                self.name(an)
                for part in parts:
                    part(self)
        return self

    def close_start(self):
        return self.raw(b"\x02")

    def close_empty(self):
        return self.raw(b"\x03")

    def end(self):
        return self.raw(b"\x04")

    def text(self, s, more=False):
        return self.raw(u8(0x45 if more else 0x05) + b"\x01" + u16(len(s)) + utf16(s))

    def ansi_text(self, s):
        data = s.encode("latin-1")
        return self.raw(b"\x05\x02" + u16(len(data)) + data)

    def cdata(self, s, more=False):
        return self.raw(u8(0x47 if more else 0x07) + u16(len(s)) + utf16(s))

    def charref(self, ch, more=False):
        return self.raw(u8(0x48 if more else 0x08) + u16(ch))

    def entity(self, name, more=False):
        self.b += u8(0x49 if more else 0x09)
        return self.name(name)

    def pi(self, target, data):
        self.b += b"\x0a"
        self.name(target)
        return self.raw(b"\x0b" + u16(len(data)) + utf16(data))

    def subst(self, index, vtype, optional=False):
        return self.raw(u8(0x0E if optional else 0x0D) + u16(index) + u8(vtype))

    def element(self, name, content=None, attrs=None, dep=None):
        """<name attrs>content</name>; content is a callable or None (empty)."""
        self.open(name, attrs, dep)
        if content is None:
            return self.close_empty()
        self.close_start()
        content(self)
        return self.end()

    def template(self, body, values, tid=1, backref=False, guid=None):
        """A template instance (0x0c). body(bx) writes the definition's fragment; it
        is written inline the first time (or when backref is False and the template
        is new) and referred back to afterwards. values: list of (type, bytes)."""
        self.b += b"\x0c\x01" + u32(tid)
        key = (tid, guid)
        if backref and key in self.names.templates:
            self.b += u32(self.names.templates[key])
        else:
            def_off = self.pos() + 4
            self.b += u32(def_off)
            frag = BX(def_off + 24, self.names, self.dep_ids)
            body(frag)
            g = guid if guid is not None else bytes(range(16))
            self.b += u32(0) + g + u32(len(frag.b)) + frag.b
            self.names.templates.setdefault(key, def_off)
        # a value may be a function of the chunk offset it lands at (nested Binary
        # XML holds names and templates whose offsets are chunk-relative)
        at = self.pos() + 4 + 4 * len(values)
        datas = []
        for vtype, data in values:
            if callable(data):
                data = data(at)
            datas.append(data)
            at += len(data)
        self.b += u32(len(values))
        for (vtype, _), data in zip(values, datas):
            self.b += u16(len(data)) + u8(vtype) + u8(0)
        for data in datas:
            self.b += data
        return self


def lit(s):
    return lambda bx: bx.text(s)


def sub(i, t, optional=True):
    return lambda bx: bx.subst(i, t, optional)


# --- values of every type ----------------------------------------------------------


def sid(rev, auth, subs):
    return bytes([rev, len(subs)]) + auth.to_bytes(6, "big") + b"".join(u32(s) for s in subs)


def systime(y, mo, dow, d, h, mi, s, ms):
    return b"".join(u16(v) for v in (y, mo, dow, d, h, mi, s, ms))


GUID = bytes.fromhex("478d5454c51a4eb3b4a6fa0e7ac3f91e")

EVERY_VALUE = [
    (0x00, b""),
    (0x01, utf16("text <&> \"quoted\" \u65e5\u672c")),
    (0x02, b"ansi \xe9\x80\x9f"),
    (0x03, b"\xfe"),
    (0x04, b"\xfe"),
    (0x05, u16(0xFFFE)),
    (0x06, u16(0xFFFE)),
    (0x07, u32(0xFFFFFFFE)),
    (0x08, u32(4294967294)),
    (0x09, u64(0xFFFFFFFFFFFFFFFE)),
    (0x0A, u64(0xFFFFFFFFFFFFFFFE)),
    (0x0B, struct.pack("<f", 1.5)),
    (0x0C, struct.pack("<d", -2.25e300)),
    (0x0D, u32(1)),
    (0x0E, b"\x00\x01\xfe\xff"),
    (0x0F, GUID),
    (0x10, u64(0x7FF6A000)),
    (0x11, u64(FT_2024)),
    (0x12, systime(2024, 3, 1, 15, 10, 20, 30, 456)),
    (0x13, sid(1, 5, [21, 1004336348, 1177238915, 682003330, 512])),
    (0x14, u32(0x3E7)),
    (0x15, u64(0x19D3AF)),
]

ODD_VALUES = [
    (0x10, u32(0x1234)),  # SizeT of 4 bytes
    (0x0B, struct.pack("<f", float("nan"))),
    (0x0C, struct.pack("<d", float("-inf"))),
    (0x07, b"\x01\x02\x03"),  # wrong size: shown as hex
    (0x13, b"\x01\x05\x00"),  # SID cut short
    (0x12, b"\x00" * 16),
    (0x11, u64(0xFFFFFFFFFFFFFFFF)),
    (0x13, sid(1, 0x123456789ABC, [1, 2])),  # authority of 48 bits
    (0x01, utf16("trail") + b"\x00\x00\x00\x00"),  # trailing NULs
    (0x01, b"\x00\xd8\x41\x00" + b"\x3d\xd8\x00\xde"),  # lone and paired surrogates
    (0x02, b"\x80\x81\x9f\x00\x00"),
    (0x22, b"\x01\x02"),  # unknown type
    (0x20, u64(5)),  # EvtHandle
]

ARRAYS = [
    (0x81, utf16("one") + b"\0\0" + b"\0\0" + utf16("three") + b"\0\0"),  # empty item
    (0x82, b"a\0bc\0"),
    (0x83, b"\x01\xff"),
    (0x84, b"\x01\xff\x00"),
    (0x85, u16(1) + u16(0xFFFF)),
    (0x86, u16(1) + u16(2) + u16(3)),
    (0x87, u32(1) + u32(0x80000000)),
    (0x88, u32(7) + u32(8)),
    (0x89, u64(1) + u64(2)),
    (0x8A, u64(3)),
    (0x8B, struct.pack("<ff", 0.5, 2.0)),
    (0x8C, struct.pack("<d", 3.0)),
    (0x8D, u32(0) + u32(1)),
    (0x8E, b"\x01\x02\x03"),
    (0x8F, GUID + GUID[::-1]),
    (0x90, u64(1) + u64(2)),
    (0x91, u64(FT_2024) + u64(FT_2024 + 1)),
    (0x92, systime(2023, 12, 0, 31, 23, 59, 59, 999)),
    (0x93, sid(1, 5, [18]) + sid(1, 5, [32, 544])),
    (0x94, u32(1) + u32(2)),
    (0x95, u64(0xABC)),
    (0x81, utf16("no terminator")),
    (0x87, u32(1) + b"\x02"),  # size not a multiple of the item size
]

# --- a realistic event template -----------------------------------------------------

SYSTEM_TYPES = [
    0x01,  # 0 Provider Name
    0x0F,  # 1 Provider Guid
    0x06,  # 2 EventID
    0x06,  # 3 Qualifiers
    0x04,  # 4 Version
    0x04,  # 5 Level
    0x06,  # 6 Task
    0x04,  # 7 Opcode
    0x15,  # 8 Keywords
    0x11,  # 9 TimeCreated
    0x0A,  # 10 EventRecordID
    0x0F,  # 11 ActivityID
    0x08,  # 12 ProcessID
    0x08,  # 13 ThreadID
    0x01,  # 14 Channel
    0x01,  # 15 Computer
    0x13,  # 16 UserID
]


def system_body(bx):
    bx.open("System").close_start()
    bx.element("Provider", None,
               [("Name", [sub(0, 0x01)]), ("Guid", [sub(1, 0x0F)])])
    bx.element("EventID", lambda b: b.subst(2, 0x06, False),
               [("Qualifiers", [sub(3, 0x06)])])
    bx.element("Version", lambda b: b.subst(4, 0x04, True))
    bx.element("Level", lambda b: b.subst(5, 0x04, True))
    bx.element("Task", lambda b: b.subst(6, 0x06, True))
    bx.element("Opcode", lambda b: b.subst(7, 0x04, True))
    bx.element("Keywords", lambda b: b.subst(8, 0x15, True))
    bx.element("TimeCreated", None, [("SystemTime", [sub(9, 0x11)])])
    bx.element("EventRecordID", lambda b: b.subst(10, 0x0A, True))
    bx.element("Correlation", None, [("ActivityID", [sub(11, 0x0F)])])
    bx.element("Execution", None,
               [("ProcessID", [sub(12, 0x08)]), ("ThreadID", [sub(13, 0x08)])])
    bx.element("Channel", lambda b: b.subst(14, 0x01, True))
    bx.element("Computer", lambda b: b.subst(15, 0x01, True))
    bx.element("Security", None, [("UserID", [sub(16, 0x13)])])
    bx.end()


def system_values(event_id, rid, qualifiers=None, channel="Security",
                  computer="emr-fs01.hospital.local", provider="Microsoft-Windows-Security-Auditing",
                  user=True, time_type=0x11, time=None):
    return [
        (0x01, utf16(provider)),
        (0x0F, GUID),
        (0x06, u16(event_id)),
        (0x06, u16(qualifiers)) if qualifiers is not None else (0x00, b""),
        (0x04, b"\x02"),
        (0x04, b"\x00"),
        (0x06, u16(12544)),
        (0x04, b"\x00"),
        (0x15, u64(0x8020000000000000)),
        (time_type, time if time is not None else u64(FT_2024 + rid)),
        (0x0A, u64(rid)),
        (0x0F, GUID[::-1]),
        (0x08, u32(676)),
        (0x08, u32(5368)),
        (0x01, utf16(channel)),
        (0x01, utf16(computer)),
        (0x13, sid(1, 5, [18])) if user else (0x00, b""),
    ]


def event_body(data_names, data_types, first=len(SYSTEM_TYPES)):
    def body(bx):
        bx.fragment_header()
        bx.open("Event", [("xmlns", [lit("http://schemas.microsoft.com/win/2004/08/events/event")])])
        bx.close_start()
        system_body(bx)
        bx.open("EventData").close_start()
        for i, (n, t) in enumerate(zip(data_names, data_types)):
            bx.element("Data", lambda b, i=i, t=t: b.subst(first + i, t, True),
                       [("Name", [lit(n)])])
        bx.end()
        bx.end()
        bx.eof()
    return body


LOGON_NAMES = ["SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId",
               "TargetUserName", "LogonType", "IpAddress", "IpPort", "LogonGuid",
               "ProcessName"]
LOGON_TYPES = [0x13, 0x01, 0x01, 0x15, 0x01, 0x08, 0x01, 0x01, 0x0F, 0x01]


def logon_values(user, ip, ltype=3):
    return [
        (0x13, sid(1, 5, [18])),
        (0x01, utf16("EMR-FS01$")),
        (0x01, utf16("HOSPITAL")),
        (0x15, u64(0x3E7)),
        (0x01, utf16(user)),
        (0x08, u32(ltype)),
        (0x01, utf16(ip)),
        (0x01, utf16("49731")),
        (0x0F, GUID),
        (0x01, utf16("C:\\Windows\\System32\\lsass.exe")),
    ]


def generic_body(n, types=None, first=0):
    """EventData with Data elements named Value0.. for n substitutions."""
    return event_body(["Value%d" % i for i in range(n)],
                      types or [0x01] * n, first)


def all_tokens_body(bx):
    """A template definition using every token form there is."""
    bx.fragment_header()
    bx.open("Event", [("xmlns", [lit("urn:k")])]).close_start()
    bx.open("Mixed", [("a", [lit("x"), lambda b: b.charref(0x41, True),
                              lambda b: b.entity("amp", True), sub(0, 0x01)]),
                      ("b", [lambda b: b.ansi_text("ansi")])]).close_start()
    bx.text("lead ", more=True)
    bx.charref(0x263A)
    bx.entity("lt")
    bx.entity("nbsp")
    bx.cdata("cdata ]]> <x>", more=True)
    bx.pi("xml-stylesheet", "href=\"a.xsl\"")
    bx.raw(b"\x0b" + u16(4) + utf16("lone"))  # PI data without a target
    bx.element("Empty")
    bx.element("Opt", lambda b: b.subst(1, 0x08, True))
    bx.element("Req", lambda b: b.subst(2, 0x08, False))
    bx.element("Arr", lambda b: b.subst(3, 0x81, True))
    bx.element("Nested", lambda b: b.subst(4, 0x21, True))
    bx.element("Missing", lambda b: b.subst(40, 0x01, True))
    bx.end()
    bx.end()
    bx.eof()


def nested_bx(base, names, inner_template=True):
    """A Binary XML substitution value (type 0x21) as found in UserData: no
    dependency ids, optionally holding its own template instance."""
    nb = BX(base, names, dep_ids=False)
    nb.fragment_header()
    if inner_template:
        def inner(b):
            b.fragment_header()
            b.element("Inner", lambda c: c.subst(0, 0x01, True), [("k", [sub(1, 0x08)])])
            b.eof()
        nb.template(inner, [(0x01, utf16("nested value")), (0x08, u32(9))], tid=77)
    else:
        nb.open("UserData").close_start()
        nb.open("LogFileCleared", [("xmlns", [lit("urn:clear")])]).close_start()
        nb.element("SubjectUserName", lambda c: c.text("admin"))
        nb.element("SubjectDomainName", lambda c: c.text("HOSPITAL"))
        nb.end()
        nb.end()
        nb.eof()
    return bytes(nb.b)


# --- records, chunks, files ------------------------------------------------------------


class Chunk:
    def __init__(self, first_id=1):
        self.b = bytearray(512)
        self.names = Names()
        self.first_id = first_id
        self.ids = []
        self.last_rec = 512

    def pos(self):
        return len(self.b)

    def record(self, rid, build, dep_ids=True, size_fix=None, time=None):
        """Append a record; build(bx) writes its Binary XML."""
        start = self.pos()
        bx = BX(start + 24, self.names, dep_ids)
        build(bx)
        size = 24 + len(bx.b) + 4
        rec = u32(0x2A2A) + u32(size) + u64(rid) + u64(time if time is not None else FT_2024 + rid)
        rec += bx.b + u32(size if size_fix is None else size_fix)
        self.b += rec
        self.ids.append(rid)
        self.last_rec = start
        return start

    def finish(self, first=None, last=None, free=None, crc=True, flags=0, full=False):
        ids = self.ids or [0]
        first = min(ids) if first is None else first
        last = max(ids) if last is None else last
        free = self.pos() if free is None else free
        h = bytearray(self.b[:512])
        h[0:8] = b"ElfChnk\0"
        h[8:16] = u64(first)
        h[16:24] = u64(last)
        h[24:32] = u64(first)
        h[32:40] = u64(last)
        h[40:44] = u32(128)
        h[44:48] = u32(self.last_rec)
        h[48:52] = u32(free)
        body = bytes(self.b[512:])
        if full:
            body = body + bytes(CHUNK - 512 - len(body))
        h[52:56] = u32(zlib.crc32(body[: max(0, free - 512)]) if crc else 0xDEADBEEF)
        h[120:124] = u32(flags)
        hcrc = zlib.crc32(bytes(h[:120]) + bytes(h[128:512]))
        h[124:128] = u32(hcrc if crc else hcrc ^ 1)
        return bytes(h) + body


def file_header(chunks, next_id, flags=0, crc=True, major=3):
    h = bytearray(128)
    h[0:8] = b"ElfFile\0"
    h[8:16] = u64(0)
    h[16:24] = u64(max(chunks - 1, 0))
    h[24:32] = u64(next_id)
    h[32:36] = u32(128)
    h[36:38] = u16(1)
    h[38:40] = u16(major)
    h[40:42] = u16(4096)
    h[42:44] = u16(chunks)
    h[120:124] = u32(flags)
    c = zlib.crc32(bytes(h[:120]))
    h[124:128] = u32(c if crc else c ^ 0xFF)
    return bytes(h) + bytes(HEADER - 128)


# --- the seeds --------------------------------------------------------------------------


def logon_record(rid, user="dr.tanaka", ip="10.1.2.3", eid=4624, backref=True, ltype=3):
    def build(bx):
        bx.fragment_header()
        bx.template(event_body(LOGON_NAMES, LOGON_TYPES),
                    system_values(eid, rid) + logon_values(user, ip, ltype), tid=4624, backref=backref)
        bx.eof()
    return build


def every_value_record(rid, values, strict_types=True):
    types = [t for t, _ in values] if strict_types else [0x01] * len(values)

    def build(bx):
        bx.fragment_header()
        bx.template(event_body(["V%02x_%d" % (t, i) for i, (t, _) in enumerate(values)], types),
                    system_values(7045, rid) + values, tid=0x7000 + len(values))
        bx.eof()
    return build


def all_tokens_record(rid, backref=False):
    def build(bx):
        vals = [(0x01, utf16("attr value")), (0x08, u32(5)), (0x08, u32(6)),
                (0x81, utf16("x") + b"\0\0" + utf16("y") + b"\0\0"),
                (0x21, lambda at: nested_bx(at, bx.names, inner_template=True))]
        bx.fragment_header()
        bx.template(all_tokens_body, vals, tid=9, backref=backref)
        bx.eof()
    return build


def userdata_record(rid):
    """Event 1102 (log cleared): System from a template, UserData as nested Binary
    XML in a substitution value (element starts without dependency ids)."""
    def body(bx):
        bx.fragment_header()
        bx.open("Event", [("xmlns", [lit("http://schemas.microsoft.com/win/2004/08/events/event")])])
        bx.close_start()
        system_body(bx)
        bx.raw(b"\x0e" + u16(len(SYSTEM_TYPES)) + b"\x21")
        bx.end()
        bx.eof()

    def build(bx):
        bx.fragment_header()
        sysv = system_values(1102, rid, provider="Microsoft-Windows-Eventlog")
        bx.template(body, sysv + [(0x21, lambda at: nested_bx(at, bx.names, False))], tid=1102)
        bx.eof()
    return build


def plain_record(rid, dep_ids=True):
    """A record without a template: elements and text directly."""
    def build(bx):
        bx.fragment_header()
        bx.open("Event", [("xmlns", [lit("urn:plain")])]).close_start()
        bx.open("System").close_start()
        bx.element("Provider", None, [("Name", [lit("Plain")])])
        bx.element("EventID", lambda b: b.text("4625"))
        bx.element("TimeCreated", None, [("SystemTime", [lit("2024-03-15T10:20:30.1234567Z")])])
        bx.element("EventRecordID", lambda b: b.text(str(rid)))
        bx.element("Computer", lambda b: b.ansi_text("ward-pc-07"))
        bx.end()
        bx.open("EventData").close_start()
        bx.element("Data", lambda b: b.text("nurse01"), [("Name", [lit("TargetUserName")])])
        bx.element("Data", lambda b: b.text("0xc000006a"), [("Name", [lit("Status")])])
        bx.element("Data", lambda b: b.text("unnamed 1"))
        bx.element("Data", lambda b: b.text("unnamed 2"))
        bx.end()
        bx.end()
        bx.eof()
    return build


def fragments_record(rid):
    """Two XML fragments one after the other in one record."""
    def build(bx):
        plain_record(rid)(bx)
        bx.fragment_header()
        bx.element("Second", lambda b: b.text("fragment"))
        bx.eof()
    return build


def deep_record(rid, depth):
    def build(bx):
        bx.fragment_header()
        for i in range(depth):
            bx.open("d").close_start()
        bx.text("deep")
        for i in range(depth):
            bx.end()
        bx.eof()
    return build


def bad_token_record(rid, tail):
    def build(bx):
        bx.fragment_header()
        bx.open("Event").close_start()
        bx.raw(tail)
    return build


def chunk_logons(n=4, first_id=1):
    ck = Chunk(first_id)
    for i in range(n):
        ck.record(first_id + i, logon_record(first_id + i, backref=i > 0,
                                             eid=4625 if i % 2 else 4624,
                                             ltype=10 if i == 3 else 3))
    return ck


def seeds_chunk():
    out = {}
    ck = chunk_logons()
    out["logons"] = ck.finish()
    out["logons-nocrc"] = ck.finish(crc=False)
    out["logons-flag-nocrc"] = ck.finish(crc=False, flags=4)
    out["logons-free-short"] = ck.finish(free=ck.last_rec)  # last record past free offset
    out["logons-free-bad"] = ck.finish(free=17)
    out["logons-range-odd"] = ck.finish(first=3, last=2)

    ck = Chunk()
    ck.record(1, every_value_record(1, EVERY_VALUE))
    ck.record(2, every_value_record(2, ODD_VALUES))
    ck.record(3, every_value_record(3, ARRAYS))
    ck.record(4, every_value_record(4, EVERY_VALUE, strict_types=False))
    out["values"] = ck.finish()

    ck = Chunk()
    ck.record(1, all_tokens_record(1))
    ck.record(2, all_tokens_record(2, backref=True))
    ck.record(3, userdata_record(3))
    out["tokens"] = ck.finish()

    ck = Chunk()
    ck.record(1, plain_record(1))
    ck.record(2, plain_record(2, dep_ids=False))  # dependency ids left out
    ck.record(3, fragments_record(3))
    ck.record(4, deep_record(4, 10))
    out["plain"] = ck.finish()

    ck = Chunk()
    ck.record(1, deep_record(1, 60))  # over the depth limit
    ck.record(2, bad_token_record(2, b"\x10\x00"))  # unknown token
    ck.record(3, bad_token_record(3, b"\x05\x08" + u32(1)))  # value text of type uint32
    ck.record(4, bad_token_record(4, b"\x0d\x00\x00\x01"))  # substitution outside a template
    ck.record(5, bad_token_record(5, b"\x01\xff\xff" + u32(0) + u32(0xFFFF0)))  # name off chunk
    ck.record(6, bad_token_record(6, b"\x0c\x01" + u32(1) + u32(600)))  # template at garbage
    ck.record(7, bad_token_record(7, b"\x04"))
    ck.record(8, plain_record(8), size_fix=1234)  # size copy wrong
    out["errors"] = ck.finish()

    # leftover records: ids outside the chunk's range, one with a type mismatch
    ck = chunk_logons(2, first_id=10)
    ck.record(500, logon_record(500))
    ck.record(900, every_value_record(900, EVERY_VALUE, strict_types=False))
    out["leftover"] = ck.finish(first=10, last=11)

    # a record with data size 0 and garbage between records
    ck = chunk_logons(2)
    ck.b += u32(0x2A2A) + u32(0) + u64(3) + u64(FT_2024)
    ck.b += b"\x55" * 40
    ck.record(4, logon_record(4))
    out["zero-size"] = ck.finish()
    return out


def seeds_file():
    out = {}
    ck = chunk_logons()
    data = ck.finish()
    out["one-chunk"] = file_header(1, 5) + data
    out["one-chunk-dirty"] = file_header(1, 5, flags=1) + data
    out["bad-header-crc"] = file_header(1, 5, crc=False) + data
    out["no-crc-flag"] = file_header(1, 5, flags=4) + ck.finish(crc=False)
    out["no-header"] = b"ElfFilX\0" + bytes(HEADER - 8) + data
    out["header-only"] = file_header(3, 1)
    out["header-short"] = file_header(1, 1)[:200]
    out["chunk-cut"] = file_header(1, 5) + data[:700]
    out["chunk-tiny"] = file_header(1, 5) + data[:300]
    out["header-counts-zero"] = file_header(0, 5) + data
    ck2 = Chunk()
    ck2.record(1, every_value_record(1, EVERY_VALUE))
    ck2.record(2, all_tokens_record(2))
    out["values"] = file_header(1, 3) + ck2.finish()
    # two chunks: the first one full size, the second cut short
    ck3 = chunk_logons(2, first_id=5)
    out["two-chunks"] = file_header(2, 7) + ck.finish(full=True) + ck3.finish()
    # a chunk slot without signature before a good one; a zero chunk before one
    small = chunk_logons(1).finish()
    out["bad-magic"] = (file_header(2, 2) + b"ElfChnX\0" + small[8:] +
                        bytes(CHUNK - len(small)) + small)
    out["zeros-then-chunk"] = file_header(1, 2) + bytes(CHUNK) + small
    return out


def binxml_input(opts, rec1, rest=b""):
    """fuzz_binxml's input: option byte, 16-bit split, then the bytes (see
    fuzz_binxml.c)."""
    return u8(opts) + u16(len(rec1)) + rec1 + rest


BX_REC1 = 512 + 24  # where fuzz_binxml puts the first record's Binary XML


def rec_bx(build, base=BX_REC1, names=None, dep_ids=True):
    bx = BX(base, names or Names(), dep_ids)
    build(bx)
    return bytes(bx.b)


def seeds_binxml():
    out = {}
    out["logon"] = binxml_input(0, rec_bx(logon_record(1)))
    out["values"] = binxml_input(0, rec_bx(every_value_record(1, EVERY_VALUE)))
    out["values-odd"] = binxml_input(0, rec_bx(every_value_record(1, ODD_VALUES)))
    out["arrays"] = binxml_input(0, rec_bx(every_value_record(1, ARRAYS)))
    out["values-strict"] = binxml_input(1, rec_bx(every_value_record(1, EVERY_VALUE,
                                                                     strict_types=False)))
    out["tokens"] = binxml_input(0, rec_bx(all_tokens_record(1)))
    out["userdata"] = binxml_input(0, rec_bx(userdata_record(1)))
    out["plain"] = binxml_input(0, rec_bx(plain_record(1)))
    out["plain-nodep"] = binxml_input(0, rec_bx(plain_record(1, dep_ids=False)))
    out["fragments"] = binxml_input(0, rec_bx(fragments_record(1)))
    out["deep"] = binxml_input(0, rec_bx(deep_record(1, 47)))
    # layout 1: two records, the second referring back to the first one's template
    # and names
    names = Names()
    r1 = rec_bx(logon_record(1), BX_REC1, names)
    r2 = rec_bx(logon_record(2, user="nurse02", backref=True), BX_REC1 + len(r1) + 4 + 24, names)
    out["two-records"] = binxml_input(2, r1, r2)
    names = Names()
    r1 = rec_bx(all_tokens_record(1), BX_REC1, names)
    r2 = rec_bx(all_tokens_record(2, backref=True), BX_REC1 + len(r1) + 4 + 24, names)
    out["two-records-tokens"] = binxml_input(2, r1, r2)
    # layout 2: the template definition lives past the record, in the definitions
    # area after the free-space offset
    rec = BX(BX_REC1, Names())
    rec.fragment_header()
    rec.raw(b"\x0c\x01" + u32(4624) + u32(0))
    vals = system_values(4624, 1) + logon_values("dr.sato", "10.9.8.7")
    rec.raw(u32(len(vals)))
    for t, d in vals:
        rec.raw(u16(len(d)) + u8(t) + b"\0")
    for t, d in vals:
        rec.raw(d)
    rec.eof()
    defs_at = BX_REC1 + len(rec.b) + 4
    rec.b[10:14] = u32(defs_at)
    body_bx = BX(defs_at + 24, Names())
    event_body(LOGON_NAMES, LOGON_TYPES)(body_bx)
    definition = u32(0) + GUID + u32(len(body_bx.b)) + bytes(body_bx.b)
    out["defs-after"] = binxml_input(4, bytes(rec.b), definition)
    # nested Binary XML values each holding a template instance and then more data
    # (decoded once each, not again at every level)
    rec = BX(BX_REC1, Names())
    rec.fragment_header()
    rec.raw(b"\x0c\x01" + u32(1))
    def_off = rec.pos() + 4
    body = b"\x0e\x00\x00\x21\x00"
    rec.raw(u32(def_off) + u32(0) + GUID + u32(len(body)) + body)
    inner = b""
    for _ in range(24):
        inner = (b"\x0c\x01" + u32(1) + u32(def_off) + u32(1) + u16(len(inner)) + b"\x21\x00" +
                 inner + b"\x0f\x01\x01\x00")
    rec.raw(u32(1) + u16(len(inner)) + b"\x21\x00" + inner + b"\x00")
    out["nested-trailing"] = binxml_input(0, bytes(rec.b))
    # raw fragments for the mutator to splice
    out["bad-subst"] = binxml_input(0, rec_bx(bad_token_record(1, b"\x0d\x00\x00\x01")))
    out["bad-value-type"] = binxml_input(0, rec_bx(bad_token_record(1, b"\x05\x08" + u32(1))))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    sets = {"fuzz_evtx_chunk": seeds_chunk(), "fuzz_evtx_file": seeds_file(),
            "fuzz_binxml": seeds_binxml()}
    for target, seeds in sets.items():
        d = os.path.join(outdir, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
