// The Python side of an interpreter context: a small REPL driver, run as
// `python3 -u -c DRIVER`. Requests arrive as JSON lines on fd 0 (user code
// then gets /dev/null as stdin); user output goes to fds 1 and 2 as usual
// (so subprocesses are captured too), each run ending with the run's marker
// on both; the outcome goes to fd 3 as one JSON line. Like an interactive
// prompt, the value of a final expression statement is printed.
export const DRIVER = String.raw`
import ast, builtins, json, linecache, os, signal, sys, traceback

requests = os.fdopen(os.dup(0), 'rb')
os.set_inheritable(requests.fileno(), False)
events = os.fdopen(3, 'w', buffering=1, encoding='utf-8')
os.set_inheritable(3, False)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)

namespace = {'__name__': '__main__', '__builtins__': builtins}
count = 0

def describe(e, tb):
    if isinstance(e, SyntaxError):
        text = ''.join(traceback.format_exception_only(type(e), e))
    else:
        text = ''.join(traceback.format_exception(type(e), e, tb))
    return {'name': type(e).__name__, 'value': str(e), 'traceback': text}

def run(req):
    global count
    count += 1
    name = '<cell-%d>' % count
    code = req['code']
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    envs = req.get('envs') or {}
    saved = {k: os.environ.get(k) for k in envs}
    os.environ.update(envs)
    error = None
    interrupted = False
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        tree = ast.parse(code, name, 'exec')
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, name, 'exec'), namespace)
        if last is not None:
            value = eval(compile(last, name, 'eval'), namespace)
            if value is not None:
                print(repr(value))
    except SystemExit as e:
        if e.code not in (None, 0):
            error = describe(e, None)
            error['traceback'] = 'SystemExit: %s\n' % (e.code,)
    except KeyboardInterrupt as e:
        interrupted = True
        error = describe(e, e.__traceback__.tb_next)
    except BaseException as e:
        error = describe(e, e.__traceback__.tb_next)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    marker = req['marker'].encode()
    os.write(1, marker)
    os.write(2, marker)
    events.write(json.dumps({'type': 'done', 'error': error, 'interrupted': interrupted}) + '\n')

signal.signal(signal.SIGINT, signal.SIG_IGN)
for line in requests:
    if line.strip():
        run(json.loads(line))
`;
