# The asyncio side of the raw-socket parity check: RawSocketContract.tracesAsAsyncio313Does runs
# these cases with CPython 3.13 and their Java twins with Pollen on the backend under test, and
# compares the traces case by case (same case names, same order). Real sockets on 127.0.0.1 and
# the real clock: a trace prints no address, port or time, only what each operation returned or
# raised. Deliberate differences (docs/asyncio.md, deviations) are left out.
#
# Usage: python3.13 asyncio_sock_cases.py [case ...]    (no argument: every case)

import asyncio
import socket
import sys

if sys.version_info[:2] != (3, 13):
    sys.exit("asyncio_sock_cases.py is the asyncio 3.13 reference: run it with Python 3.13, not "
             + sys.version.split()[0])


def out(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def outcome(f):
    if not f.done():
        return "pending"
    if f.cancelled():
        return "cancelled"
    e = f.exception()
    return "raised " + type(e).__name__ if e is not None else "done"


def listener(small=False):
    s = socket.socket()
    if small:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    s.bind(("127.0.0.1", 0))
    s.listen()
    s.setblocking(False)
    return s


def client(small=False):
    c = socket.socket()
    if small:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    c.setblocking(False)
    return c


async def pair(small=False):
    loop = asyncio.get_running_loop()
    lst = listener(small)
    c = client(small)
    accepting = asyncio.ensure_future(loop.sock_accept(lst))
    await loop.sock_connect(c, lst.getsockname())
    s, address = await accepting
    out("accepted, address is the client's:", address == c.getsockname())
    return lst, c, s


CASES = []


def case(fn):
    CASES.append((fn.__name__, fn))
    return fn


@case
async def sock_round_trip_and_end_of_stream():
    loop = asyncio.get_running_loop()
    lst, c, s = await pair()
    await loop.sock_sendall(c, b"ping")
    got = b""
    while len(got) < 4:
        got += await loop.sock_recv(s, 4 - len(got))
    out("server got", got.decode())
    await loop.sock_sendall(s, b"pong")
    buf = bytearray(16)
    n = await loop.sock_recv_into(c, buf)
    out("client got", n, bytes(buf[:n]).decode())
    s.shutdown(socket.SHUT_WR)
    out("recv at end of stream", len(await loop.sock_recv(c, 10)))
    out("recv_into at end of stream", await loop.sock_recv_into(c, bytearray(4)))
    out("recv of 0 bytes", len(await loop.sock_recv(s, 0)))
    for x in (c, s, lst):
        x.close()


@case
async def sock_recv_cancelled_takes_nothing():
    loop = asyncio.get_running_loop()
    lst, c, s = await pair()
    r = asyncio.ensure_future(loop.sock_recv(c, 10))
    await asyncio.sleep(0.01)
    out("recv before cancel", outcome(r))
    r.cancel()
    await asyncio.sleep(0.01)
    out("recv", outcome(r))
    await loop.sock_sendall(s, b"abc")
    out("next recv", (await loop.sock_recv(c, 10)).decode())
    for x in (c, s, lst):
        x.close()


@case
async def sock_accept_cancelled_leaves_the_listener_usable():
    loop = asyncio.get_running_loop()
    lst = listener()
    a = asyncio.ensure_future(loop.sock_accept(lst))
    await asyncio.sleep(0.01)
    a.cancel()
    await asyncio.sleep(0.01)
    out("accept", outcome(a))
    c = client()
    await loop.sock_connect(c, lst.getsockname())
    s, address = await loop.sock_accept(lst)
    out("next accept, address is the client's:", address == c.getsockname())
    for x in (c, s, lst):
        x.close()


@case
async def sock_connect_refused():
    loop = asyncio.get_running_loop()
    lst = listener()
    address = lst.getsockname()
    lst.close()
    c = client()
    try:
        await loop.sock_connect(c, address)
        out("connected")
    except OSError as e:
        out("connect raised", type(e).__name__)
    c.close()


@case
async def sock_sendall_waits_for_a_slow_reader():
    loop = asyncio.get_running_loop()
    lst, c, s = await pair(small=True)
    data = bytes(range(256)) * (4 * 4096)
    send = asyncio.ensure_future(loop.sock_sendall(c, data))
    await asyncio.sleep(0.05)
    out("sendall while nobody reads", outcome(send))
    got = bytearray()
    while len(got) < len(data):
        chunk = await loop.sock_recv(s, 16 * 1024)
        got += chunk
        await asyncio.sleep(0)
    await send
    out("sendall", outcome(send), "received", len(got), "intact", bytes(got) == data)
    for x in (c, s, lst):
        x.close()


def main(argv):
    wanted = set(argv)
    for name, fn in CASES:
        if not wanted or name in wanted:
            out("==", name)
            try:
                asyncio.run(fn())
            except BaseException as e:  # noqa: B036 - the trace shows anything that escapes
                out("escaped", type(e).__name__, e)


if __name__ == "__main__":
    main(sys.argv[1:])
