"""`bargainsim class`: a class session in the browser (students play, the teacher runs rounds).

- `plan`: the class file (rounds: scenario, seating), validated like a scenario;
- `room`: students, tables and answers as plain objects (no network);
- `protocol`: the JSON messages pages send and get, over one websocket;
- `results`: theory and the agents beside the class's deals, and the CSV;
- `server`: Starlette and uvicorn serving the pages (`pages/`) and the websocket.
"""
