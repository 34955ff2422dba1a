"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does, without needing quarto).

Markdown cells are copied, code cells marked `#| hide` are dropped, code cells marked `#| echo: false` show only
their output, and image outputs are saved under README_files/. Run from the repository root:
`python .ci/readme.py` (add `--check` to fail when README.md is out of date)."""
import base64, json, re, sys
from pathlib import Path

def main(check=False):
    nb = json.loads(Path('nbs/index.ipynb').read_text())
    out, imgs = [], {}
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        flags = re.findall(r'^#\|\s*(.+)$', src, re.M)
        body = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if cell['cell_type'] == 'markdown': out.append(src.strip()); continue
        if any(f.strip() == 'hide' for f in flags): continue
        if not any(f.replace(' ', '') == 'echo:false' for f in flags) and body: out.append(f'```python\n{body}\n```')
        for o in cell.get('outputs', []):
            d = o.get('data', {})
            if 'image/png' in d:
                name = f'README_files/figure-{len(imgs)}.png'; imgs[name] = base64.b64decode(d['image/png'])
                out.append(f'![]({name})')
            elif o.get('output_type') == 'stream': out.append('```\n' + ''.join(o['text']).rstrip() + '\n```')
            elif 'text/markdown' in d: out.append(''.join(d['text/markdown']))
            elif 'text/plain' in d: out.append('```\n' + ''.join(d['text/plain']).rstrip() + '\n```')
    text = '<!-- made from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file -->\n\n' + '\n\n'.join(out) + '\n'
    if check:
        stale = Path('README.md').read_text() != text or any(not Path(n).exists() or Path(n).read_bytes() != b for n, b in imgs.items())
        if stale: sys.exit('README.md is out of date: run `python .ci/readme.py` and commit')
        return
    Path('README_files').mkdir(exist_ok=True)
    for p in Path('README_files').glob('figure-*.png'):
        if str(p) not in imgs: p.unlink()
    for n, b in imgs.items(): Path(n).write_bytes(b)
    Path('README.md').write_text(text)

if __name__ == '__main__': main('--check' in sys.argv)
