"""A lean SMTP sink for the benchmarks: says yes to every command and throws every message away.

aiosmtpd's own sink parses each command and message in Python coroutines and tops out near 300
messages a second here, which would measure aiosmtpd rather than the desk. This one is a plain
blocking loop per connection that speaks just enough SMTP for smtplib (EHLO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT) and answers each command as soon as its line is in.
Run: python bench/smtp_sink.py PORT
"""

import socket
import sys
import threading


def serve_connection(conn: socket.socket) -> None:
    with conn:
        conn.sendall(b"220 sink ESMTP\r\n")
        buffer, in_data = b"", False
        while chunk := conn.recv(65536):
            buffer += chunk
            replies = []
            while True:
                if in_data:
                    # The message ends with a line holding one dot; the data starts right after DATA.
                    end = buffer.find(b"\r\n.\r\n")
                    if end < 0:
                        break
                    buffer, in_data = buffer[end + 5 :], False
                    replies.append(b"250 OK\r\n")
                    continue
                line, sep, rest = buffer.partition(b"\r\n")
                if not sep:
                    break
                buffer = rest
                verb = line[:4].upper()
                if verb == b"EHLO":
                    replies.append(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"DATA":
                    in_data, buffer = True, b"\r\n" + buffer
                    replies.append(b"354 go on\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"".join(replies) + b"221 bye\r\n")
                    return
                else:
                    replies.append(b"250 OK\r\n")
            if replies:
                conn.sendall(b"".join(replies))


def serve(port: int) -> None:
    with socket.create_server(("127.0.0.1", port)) as server:
        while True:
            conn, _ = server.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=serve_connection, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
