#!/usr/bin/env python3
"""The same incidents as a Zola site, for benches/vs_zola.sh.

Usage: zola_adapter.py SNAPSHOT LOCALES DIR

Reads a statusfleet snapshot (benches/gen_large.py's data-files/big.json)
and writes DIR as a Zola site doing the same work: one page per incident
(title, times, affected services, its timeline as the page's Markdown; HTML
bodies pass through as Markdown allows), a history section paged as
statusfleet's (`history_per_page` 10), a page per service listing its
incidents (a `services` taxonomy, with a feed per service), an Atom feed
per language; in LOCALES languages (1: en; 4: en,
fr, ko, zh, each page in each, as statusfleet renders every incident in
every locale). Zola sorts, pages and renders; nothing is pre-rendered here.
"""
import json
import os
import shutil
import sys

LANGS = ["en", "fr", "ko", "zh"]

BASE = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{% block title %}{{ config.title }}{% endblock %}</title>
<link rel="stylesheet" href="{{ get_url(path='style.css') }}"></head>
<body><header><a href="{{ get_url(path='@/_index.md', lang=lang) }}">{{ config.title }}</a></header>
<main>{% block main %}{% endblock %}</main></body></html>
"""

INDEX = """{% extends "base.html" %}{% block main %}<h1>{{ section.title }}</h1>
<ul>{% for s in section.subsections %}{% set sub = get_section(path=s) %}<li><a href="{{ sub.permalink }}">{{ sub.title }}</a> ({{ sub.pages | length }})</li>{% endfor %}</ul>
{% endblock %}
"""

SECTION = """{% extends "base.html" %}{% block main %}<h1>{{ section.title }}</h1>
{% if paginator %}{% set pages = paginator.pages %}{% else %}{% set pages = section.pages %}{% endif %}
<ul class="incidents">{% for p in pages %}<li><h3><a href="{{ p.permalink }}">{{ p.title }}</a></h3>
<p class="meta"><span class="badge">{{ p.extra.status }}</span> <span class="tag">{{ p.extra.classification }}</span>
<time datetime="{{ p.date }}">{{ p.date | date(format="%B %-d, %Y at %-I:%M %p UTC") }}</time></p>
<p class="services">{{ p.extra.services | join(sep=", ") }}</p></li>{% endfor %}</ul>
{% if paginator %}<nav class="pager"><p>Page {{ paginator.current_index }} of {{ paginator.number_pagers }}</p><ul>
{% if paginator.previous %}<li><a href="{{ paginator.previous }}" rel="prev">Previous</a></li>{% endif %}
<li><a href="{{ paginator.first }}">1</a></li><li><a href="{{ paginator.last }}">{{ paginator.number_pagers }}</a></li>
{% if paginator.next %}<li><a href="{{ paginator.next }}" rel="next">Next</a></li>{% endif %}</ul></nav>{% endif %}
{% endblock %}
"""

TERMS = """{% extends "base.html" %}{% block main %}<h1>Services</h1>
<ul>{% for t in terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a> ({{ t.pages | length }})</li>{% endfor %}</ul>
{% endblock %}
"""

TERM = """{% extends "base.html" %}{% block main %}<h1>{{ term.name }}</h1>
<ul class="incidents">{% for p in term.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a>
<time datetime="{{ p.date }}">{{ p.date | date(format="%B %-d, %Y") }}</time></li>{% endfor %}</ul>
{% endblock %}
"""

PAGE = """{% extends "base.html" %}{% block title %}{{ page.title }}{% endblock %}{% block main %}
<article><h1>{{ page.title }}</h1><dl class="facts">
<div><dt>Status</dt><dd>{{ page.extra.status }}</dd></div>
<div><dt>Type</dt><dd>{{ page.extra.classification }}</dd></div>
<div><dt>Reference</dt><dd><code>{{ page.extra.id }}</code></dd></div>
<div><dt>Started</dt><dd><time datetime="{{ page.date }}">{{ page.date | date(format="%B %-d, %Y at %-I:%M %p UTC") }}</time></dd></div>
<div><dt>Affected services</dt><dd>{{ page.extra.services | join(sep=", ") }}</dd></div></dl>
<section><h2>Updates</h2><ol class="timeline">{{ page.content | safe }}</ol></section></article>
{% endblock %}
"""


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def main():
    snapshot, locales, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    langs = LANGS[: 1 if locales == 1 else 4]
    snap = json.load(open(snapshot, encoding="utf-8"))
    shutil.rmtree(out, ignore_errors=True)
    for d in ["templates/services", "static", "content/history"]:
        os.makedirs(os.path.join(out, d))
    config = [
        'base_url = "https://status.partner.example/big"',
        'title = "Service status"',
        'default_language = "en"',
        "generate_feeds = true",
        "build_search_index = false",
        "compile_sass = false",
        'taxonomies = [{ name = "services", feed = true }]',
        "[markdown]",
        "render_emoji = false",
    ]
    for lang in langs[1:]:
        config += [f"[languages.{lang}]", "generate_feeds = true", 'title = "Service status"',
                   'taxonomies = [{ name = "services", feed = true }]']
    open(os.path.join(out, "config.toml"), "w").write("\n".join(config) + "\n")
    for name, text in [("base.html", BASE), ("index.html", INDEX), ("section.html", SECTION), ("page.html", PAGE),
                       ("services/list.html", TERMS), ("services/single.html", TERM)]:
        open(os.path.join(out, "templates", name), "w").write(text)
    open(os.path.join(out, "static", "style.css"), "w").write("body{font-family:sans-serif}\n")
    names = {s["id"]: s["name"] for s in snap["services"]}

    def write(path, front, body, lang):
        stem, ext = os.path.splitext(path)
        name = path if lang == "en" else f"{stem}.{lang}{ext}"
        with open(os.path.join(out, "content", name), "w", encoding="utf-8") as f:
            f.write("+++\n" + front + "+++\n" + body)

    for lang in langs:
        write("_index.md", 'title = "Service status"\nsort_by = "none"\n', "", lang)
        write("history/_index.md", 'title = "History"\nsort_by = "date"\npaginate_by = 10\ntemplate = "section.html"\n', "", lang)
    for i in snap["incidents"]:
        updates = sorted(i["updates"], key=lambda u: u["at"], reverse=True)
        body = "".join(
            f'\n<li><p class="meta"><time datetime="{u["at"]}">{u["at"]}</time> {u.get("status", "")}</p>\n\n{u["body"]}\n\n</li>\n'
            for u in updates
        )
        services = [names[s] for s in i["services"]]
        front = (
            f'title = {toml_str(i["title"])}\n'
            f'date = {i["started_at"]}\n'
            "[extra]\n"
            f'id = {toml_str(i["id"])}\n'
            f'status = {toml_str(i["status"])}\n'
            f'classification = {toml_str(i["classification"])}\n'
            f"services = {json.dumps(services, ensure_ascii=False)}\n"
            "[taxonomies]\n"
            f"services = {json.dumps(services, ensure_ascii=False)}\n"
        )
        # The history section holds every incident; the `services`
        # taxonomy gives each service its page and feed, as statusfleet's
        # service pages and per-service feeds.
        for lang in langs:
            write(f"history/{i['id']}.md", front, body, lang)


if __name__ == "__main__":
    main()
