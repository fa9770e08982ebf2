"""The agent's deterministic tools: a calculator, a search over a built-in corpus, and a query of
the user's own history. Which tools a request uses follows from its text alone."""
import ast
import operator
import re

CORPUS = [
    ("Retries with backoff", "Retry failed calls with exponential backoff and jitter so that a recovering dependency is not stampeded."),
    ("Timeouts", "Every remote call needs a deadline; a call without one turns a slow dependency into a hung client."),
    ("Circuit breakers", "Stop calling a dependency that keeps failing and probe it now and then until it recovers."),
    ("Idempotency", "Make writes safe to repeat with idempotency keys so that a retry never applies a change twice."),
    ("Graceful degradation", "Serve what still works when a dependency is down and say clearly what does not."),
    ("Event replay", "Buffer a session's events so that a client that reconnects can resume where it left off."),
    ("Rate limiting", "Refuse excess work early with a clear error instead of queueing it until everything times out."),
    ("Health checks", "A health endpoint reports each dependency so that operators see what is degraded."),
    ("Transactions", "Group the writes of one step in one transaction so that a failure leaves no partial rows."),
    ("Chaos engineering", "Inject faults on purpose, observe the steady state, and measure detection and recovery."),
]
EXPRESSION = re.compile(r"[-+*/().\d\s]*\d\s*[-+*/]\s*[-+*/().\d\s]*\d[-+*/().\d\s]*")
HISTORY_WORDS = ("history", "earlier", "previous", "before")
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
             ast.USub: operator.neg, ast.UAdd: operator.pos}


def plan(request):
    """The tool calls for a request, as (tool_name, params)."""
    calls = []
    match = EXPRESSION.search(request)
    if match:
        calls.append(("calculator", {"expression": match.group(0).strip()}))
    calls.append(("search", {"query": request[:200]}))
    if any(word in request.lower() for word in HISTORY_WORDS):
        calls.append(("history", {"limit": 5}))
    return calls


def calculate(expression):
    def evaluate(node):
        if isinstance(node, ast.Expression):
            return evaluate(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](evaluate(node.operand))
        raise ValueError("only numbers and + - * / ( ) are allowed")
    try:
        return {"value": evaluate(ast.parse(expression, mode="eval"))}
    except (SyntaxError, ValueError, ZeroDivisionError) as exc:
        return {"error": f"cannot calculate {expression!r}: {exc}"}


def search(query):
    words = {word for word in re.findall(r"[a-z]+", query.lower()) if len(word) > 3}
    scored = sorted(CORPUS, key=lambda doc: (-len(words & set(re.findall(r"[a-z]+", (doc[0] + " " + doc[1]).lower()))), doc[0]))
    return {"results": [{"title": title, "snippet": text} for title, text in scored[:2]]}
