from launch.gate import gate_closed_for


def launch(request):
    """`GATE_CLOSED`: this visitor sees the pre-launch site (hide links that would redirect)."""
    return {"GATE_CLOSED": gate_closed_for(request)}
