#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets from the real course files.

    python3 fuzz/seeds.py            # from the repository root; adds to fuzz/corpus/<target>/

- course_files: the mini fixture course whole, and every module of every course under courses/
  as a one-module course (its course.toml, module.toml and items), framed as
  fuzz/src/framing.rs reads them ("==> PATH" lines start files).
- course_json: the same courses as CourseDoc JSON, the shape serde gives it (and so the shape
  the authoring API takes), plus validate.rs's sample() course.
- markdown_sanitizer: every lesson body, every quiz prompt, and the XSS payloads of
  render.rs's tests.

Seed files are named by the SHA-1 of their content, as libFuzzer names corpus files, so running
this again adds nothing twice. Run `cargo fuzz cmin` afterwards to drop what adds no coverage.
"""

import hashlib
import json
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
PREFIX = re.compile(r"^(\d\d)-(.+)$")

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<object data="x.swf"></object>',
    '<form action="https://evil.example"><input name=p></form>',
    "<body onload=alert(1)>",
    "[bài sau](lesson:bai-2) ![ảnh](https://a.vn/x.png \"t\")\n\n| a | b |\n|---|---|\n| ~~1~~ | 2 |\n",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a> <math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def read(path):
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")


def normalize_body(body):
    return body.replace("\r\n", "\n").lstrip("\n").rstrip() + "\n"


def split_lesson(text):
    """(front matter, body) as files.rs's parse_lesson splits them."""
    rest = text[len("+++\n"):]
    end = rest.find("\n+++\n")
    if end < 0:
        end = len(rest) - len("\n+++")
    return rest[: end + 1], rest[end + 5:]


def sorted_dir(d):
    return sorted(p for p in d.iterdir() if not p.name.startswith("."))


def module_items(mdir):
    """[(file name, kind, key, parsed)] of one module folder."""
    items = []
    for p in sorted_dir(mdir):
        if p.name.endswith(".quiz.toml"):
            key = PREFIX.match(p.name[: -len(".quiz.toml")]).group(2)
            items.append((p, {"kind": "quiz", "key": key, "spec": tomllib.loads(read(p))}))
        elif p.name.endswith(".md"):
            key = PREFIX.match(p.name[: -len(".md")]).group(2)
            front, body = split_lesson(read(p))
            items.append(
                (p, {"kind": "lesson", "key": key, "meta": tomllib.loads(front),
                     "body": normalize_body(body)})
            )
    return items


def framed(course_dir, module_dirs):
    out = read(course_dir / "course.toml")
    for mdir in module_dirs:
        for p in [mdir / "module.toml"] + [p for p, _ in module_items(mdir)]:
            if not out.endswith("\n"):
                out += "\n"
            out += f"==> {mdir.name}/{p.name}\n" + read(p)
    return out


def as_json(slug, course_dir, module_dirs):
    doc = {"slug": slug, "meta": tomllib.loads(read(course_dir / "course.toml")), "modules": []}
    for mdir in module_dirs:
        doc["modules"].append({
            "key": PREFIX.match(mdir.name).group(2),
            "meta": tomllib.loads(read(mdir / "module.toml")),
            "items": [item for _, item in module_items(mdir)],
        })
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str)


SAMPLE = {
    "slug": "mau",
    "meta": {"title": "Khóa mẫu", "title_en": "Sample", "summary": "Tóm tắt",
             "summary_en": "Summary", "language": "vi", "topic": "basic_skills",
             "level": "basic", "groups": ["citizen"], "competences": ["1.1"],
             "estimated_minutes": 10, "strict_order": False},
    "modules": [{
        "key": "m1",
        "meta": {"title": "Mô-đun", "title_en": "Module", "summary": "", "summary_en": ""},
        "items": [{
            "kind": "lesson", "key": "bai-1",
            "meta": {"title": "Bài 1", "title_en": "Lesson 1", "estimated_minutes": 5,
                     "competences": ["1.1"],
                     "sources": [{"title": "Nguồn", "url": "https://example.vn"}]},
            "body": "Xin chào [tiếp](lesson:bai-1).",
        }],
    }],
}


def main():
    courses = [ROOT / "tests" / "fixtures" / "courses" / "mini"]
    courses += [d for d in sorted_dir(ROOT / "courses") if (d / "course.toml").is_file()]
    for cdir in courses:
        modules = [d for d in sorted_dir(cdir) if d.is_dir() and PREFIX.match(d.name)]
        if cdir.name == "mini":
            write("course_files", framed(cdir, modules))
            write("course_json", as_json(cdir.name, cdir, modules))
        for m in modules:
            write("course_files", framed(cdir, [m]))
            write("course_json", as_json(cdir.name, cdir, [m]))
            for p, item in module_items(m):
                if item["kind"] == "lesson":
                    write("markdown_sanitizer", item["body"])
                else:
                    for q in item["spec"].get("questions", []):
                        write("markdown_sanitizer", q["prompt"])
    write("course_json", json.dumps(SAMPLE, ensure_ascii=False))
    for p in XSS:
        write("markdown_sanitizer", p)
    for t in ("course_files", "course_json", "markdown_sanitizer"):
        d = CORPUS / t
        files = list(d.iterdir())
        print(f"{t}: {len(files)} files, {sum(f.stat().st_size for f in files)} bytes",
              file=sys.stderr)


if __name__ == "__main__":
    main()
