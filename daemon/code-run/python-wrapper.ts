// The code-run wrapper for Python, as source text passed to `python3 -c`.
// Reads user code from stdin, runs it as __main__, and writes matplotlib
// figures as chart artifacts (JSON lines) to fd 3. Our own design (spec §4.4).
export const PYTHON_WRAPPER = String.raw`
# Berth code-run wrapper (run with python3 -c). Reads the user's code from
# stdin, runs it as __main__, and reports matplotlib figures as chart
# artifacts (one JSON line each) on fd 3, which only the daemon reads.
import base64, builtins, importlib.util, io, json, math, os, sys, traceback, types

try:
    _art = os.fdopen(3, 'w', encoding='utf-8')
    os.set_inheritable(3, False)
except OSError:
    _art = None

_reported = set()


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _text(t):
    return t.get_text() if t is not None else ''


def _axis_info(ax):
    return {
        'x_label': ax.get_xlabel(), 'y_label': ax.get_ylabel(),
        'x_ticks': [_num(t) for t in ax.get_xticks()], 'y_ticks': [_num(t) for t in ax.get_yticks()],
        'x_tick_labels': [_text(t) for t in ax.get_xticklabels()], 'y_tick_labels': [_text(t) for t in ax.get_yticklabels()],
        'x_scale': ax.get_xscale(), 'y_scale': ax.get_yscale(),
    }


def _label(artist):
    l = artist.get_label() or ''
    return '' if l.startswith('_') else str(l)


def _bars(ax):
    from matplotlib.container import BarContainer
    out = []
    for c in ax.containers:
        if not isinstance(c, BarContainer):
            continue
        horizontal = getattr(c, 'orientation', 'vertical') == 'horizontal'
        ticks = list(ax.get_yticks() if horizontal else ax.get_xticks())
        names = [_text(t) for t in (ax.get_yticklabels() if horizontal else ax.get_xticklabels())]
        for i, r in enumerate(c.patches):
            centre = r.get_y() + r.get_height() / 2 if horizontal else r.get_x() + r.get_width() / 2
            value = r.get_width() if horizontal else r.get_height()
            name = str(i)
            if ticks:
                j = min(range(len(ticks)), key=lambda k: abs(ticks[k] - centre))
                if j < len(names) and abs(ticks[j] - centre) < 0.5 * max(abs(r.get_height() if horizontal else r.get_width()), 1e-9) + 1e-9:
                    name = names[j] or name
            out.append({'label': name, 'group': _label(c), 'value': repr(_num(value))})
    return out


def _axes_chart(ax):
    from matplotlib.patches import Wedge
    from matplotlib.collections import PathCollection
    chart = {'title': ax.get_title()}
    boxes = ax.__dict__.get('_berth_boxes')
    wedges = [p for p in ax.patches if isinstance(p, Wedge)]
    bars = _bars(ax)
    lines = [l for l in ax.get_lines() if not getattr(l, '_berth_box', False) and l.get_visible()]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection) and not getattr(c, '_berth_box', False)]
    if boxes:
        chart.update(type='box_and_whisker', x_label=ax.get_xlabel(), y_label=ax.get_ylabel(), elements=boxes)
    elif wedges:
        chart.update(type='pie', elements=[{'label': _label(w), 'angle': _num(w.theta2 - w.theta1), 'radius': _num(w.r)} for w in wedges])
    elif bars:
        chart.update(type='bar', x_label=ax.get_xlabel(), y_label=ax.get_ylabel(), elements=bars)
    elif lines or scatters:
        elements = [{'label': _label(l), 'points': [[_num(x), _num(y)] for x, y in l.get_xydata()]} for l in lines]
        elements += [{'label': _label(c), 'points': [[_num(x), _num(y)] for x, y in c.get_offsets()]} for c in scatters]
        chart.update(type='line' if lines else 'scatter', elements=elements, **_axis_info(ax))
    else:
        chart.update(type='unknown', elements=[])
    return chart


def _figure_chart(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format='png', bbox_inches='tight')  # also draws, so tick labels are known
    axes = [a for a in fig.get_axes() if a.get_visible() and not hasattr(a, '_colorbar') and (a.has_data() or a.get_title())]
    if len(axes) > 1:
        chart = {'type': 'composite_chart', 'title': _text(getattr(fig, '_suptitle', None)), 'elements': [_axes_chart(a) for a in axes]}
    elif axes:
        chart = _axes_chart(axes[0])
    else:
        chart = {'type': 'unknown', 'title': _text(getattr(fig, '_suptitle', None)), 'elements': []}
    chart['png'] = base64.b64encode(buf.getvalue()).decode('ascii')
    return chart


def _report_figures(close):
    plt = sys.modules.get('matplotlib.pyplot')
    if plt is None or _art is None:
        return
    for num in list(plt.get_fignums()):
        fig = plt.figure(num)
        if id(fig) not in _reported:
            _reported.add(id(fig))
            try:
                _art.write(json.dumps(_figure_chart(fig), allow_nan=False) + '\n')
                _art.flush()
            except Exception as e:  # a chart we cannot read must not fail the run
                sys.stderr.write('berth: could not export a figure: %s\n' % e)
        if close:
            plt.close(fig)


def _patch_pyplot(plt):
    from matplotlib.axes import Axes
    original_bxp = Axes.bxp

    def bxp(self, bxpstats, *args, **kwargs):
        artists = original_bxp(self, bxpstats, *args, **kwargs)
        for group in artists.values():
            for a in group:
                a._berth_box = True
        boxes = self.__dict__.setdefault('_berth_boxes', [])
        for i, s in enumerate(bxpstats):
            boxes.append({'label': str(s.get('label', len(boxes) + 1)), 'min': _num(s['whislo']), 'first_quartile': _num(s['q1']),
                          'median': _num(s['med']), 'third_quartile': _num(s['q3']), 'max': _num(s['whishi']),
                          'outliers': [_num(x) for x in s.get('fliers', [])]})
        return artists

    Axes.bxp = bxp

    def show(*args, **kwargs):
        _report_figures(close=True)

    plt.show = show


class _PyplotHook:
    """Patches matplotlib.pyplot right after it is first imported, whoever imports it."""

    def find_spec(self, name, path=None, target=None):
        if name != 'matplotlib.pyplot':
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _patch_pyplot(module)

        spec.loader.exec_module = exec_module
        return spec


def _main():
    source = sys.stdin.buffer.read()
    sys.argv[0] = '-'
    os.environ.setdefault('MPLBACKEND', 'Agg')
    sys.meta_path.insert(0, _PyplotHook())
    main = types.ModuleType('__main__')
    main.__dict__['__builtins__'] = builtins
    sys.modules['__main__'] = main
    try:
        code = compile(source, '<stdin>', 'exec')
    except SyntaxError:
        traceback.print_exc(limit=0)
        sys.exit(1)
    try:
        exec(code, main.__dict__)
    except SystemExit:
        raise
    except BaseException:
        kind, value, tb = sys.exc_info()
        traceback.print_exception(kind, value, tb.tb_next)
        sys.exit(1)
    finally:
        # Figures never shown are reported too (before matplotlib's own exit hook closes them).
        _report_figures(False)


_main()
`;
