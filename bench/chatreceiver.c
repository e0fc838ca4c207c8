/* The load generator's receive loop for the chat phase, in C: bench/chatreceiver.py builds and calls it.

   Why C: at 10,000 attendees in one room the load generator receives 100,000 chat frames a
   second. In Python (uvloop, raw transports, one regex a frame) that costs about 8 µs of CPU a
   frame, as much as the server spends sending it, on the same two cores; here a frame costs its
   read() and a few comparisons, so the server, not the generator, sets the ceiling.

   It reads only what the benchmark counts: for each whole text frame that is a chat.message it
   records (client, seq, latency in µs, or -1 for a body without a send time); a presence count is
   passed over (it carries no seq) and a ping is answered with its pong. Any other frame (an error,
   a close, a question) and anything that does not fit the socket's buffer ends this loop's reading
   of that socket: its unread bytes, from that frame on, stay in the socket's buffer, and the
   client's number is written to handback_fd, so that Python parses them at once, in order, and
   reads on. Nothing is dropped and nothing is read twice.

   receive_chat() returns when a byte arrives on stop_fd, or the record array is full (then every
   socket is handed back with its bytes); the caller runs it on a thread (ctypes lets go of the GIL).
*/

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { READING = 0, HANDED_BACK = 1 };

static long long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

/* A chat.message as the server writes it (compact JSON). Its keys are looked for, not expected in an order:
   a live message has seq last (livechat/envelope.py), one filled in from the room's history (after a gap)
   comes in PostgreSQL's jsonb order. A key cannot occur inside a JSON string, whose quotes are escaped.
   Returns 1 and sets *seq, and *sent_ns (or -1 when the body carries no "bench <ns> " send time). */
static int starts(const unsigned char *p, long n, const char *prefix, long size) {
    return n >= size && memcmp(p, prefix, size) == 0;
}

static const char *digits(const char *p, const char *end, long long *value) {
    const char *start = p;
    *value = 0;
    while (p < end && *p >= '0' && *p <= '9')
        *value = *value * 10 + (*p++ - '0');
    return p > start ? p : NULL;
}

static int read_chat(const char *p, long n, long long *seq, long long *sent_ns) {
    static const char type[] = "\"type\":\"chat.message\"";
    static const char seq_key[] = "\"seq\":";
    static const char body_key[] = "\"body\":\"bench ";
    const char *end = p + n, *at;
    if (n < 2 || p[0] != '{' || p[n - 1] != '}' || memmem(p, n, type, sizeof type - 1) == NULL)
        return 0;
    at = memmem(p, n, seq_key, sizeof seq_key - 1);
    if (at == NULL || digits(at + sizeof seq_key - 1, end, seq) == NULL)
        return 0;
    *sent_ns = -1;
    at = memmem(p, n, body_key, sizeof body_key - 1);
    if (at != NULL) {
        long long stamp;
        const char *after = digits(at + sizeof body_key - 1, end, &stamp);
        if (after != NULL && after < end && *after == ' ')
            *sent_ns = stamp;
    }
    return 1;
}

/* Answers a server's ping with a pong carrying its payload (a client frame: masked, here with a zero key). */
static void pong(int fd, const unsigned char *payload, long size) {
    unsigned char frame[2 + 4 + 125];
    if (size > 125)
        return; /* RFC 6455: a control frame's payload is at most 125 bytes */
    frame[0] = 0x8A;
    frame[1] = 0x80 | (unsigned char)size;
    memset(frame + 2, 0, 4);
    memcpy(frame + 6, payload, size);
    send(fd, frame, 6 + size, MSG_NOSIGNAL);
}

/* Parses the whole frames in one socket's buffer. Returns 0 to read on, 1 to hand the socket back. */
static int parse(int fd, int client, unsigned char *buf, int *used, long long at_us, long long *records,
                 long capacity, long *count) {
    static const char presence[] = "{\"type\":\"presence\",";
    long position = 0, size = *used;
    int hand_back = 0;
    while (size - position >= 2) {
        const unsigned char *f = buf + position;
        long length = f[1] & 0x7F, header = 2;
        if (f[1] & 0x80) { /* a masked frame from a server is a protocol error: Python reports it */
            hand_back = 1;
            break;
        }
        if (length == 126) {
            if (size - position < 4)
                break;
            length = (long)f[2] << 8 | f[3];
            header = 4;
        } else if (length == 127) {
            hand_back = 1; /* over 64 KiB: no chat frame is */
            break;
        }
        if (size - position < header + length)
            break;
        int opcode = f[0] & 0x0F, final = f[0] & 0x80;
        long long seq, sent_ns;
        if (opcode == 0x9 && final) {
            pong(fd, f + header, length);
        } else if (opcode == 0x1 && final && starts(f + header, length, presence, sizeof presence - 1)) {
            /* the room's head count: not a delivery */
        } else if (opcode == 0x1 && final && *count < capacity &&
                   read_chat((const char *)f + header, length, &seq, &sent_ns)) {
            long long *record = records + 3 * *count;
            record[0] = client;
            record[1] = seq;
            record[2] = sent_ns < 0 ? -1 : at_us - sent_ns / 1000;
            ++*count;
        } else {
            hand_back = 1;
            break;
        }
        position += header + length;
    }
    if (position) {
        memmove(buf, buf + position, size - position);
        *used = (int)(size - position);
    }
    return hand_back;
}

long receive_chat(int clients, const int *fds, int stop_fd, int handback_fd, unsigned char *buffers,
                  int buffer_size, int *used, int *status, long long *records, long capacity, int pause_us) {
    struct timespec pause = {0, pause_us * 1000L};
    struct epoll_event event, events[256];
    long count = 0;
    int reading = 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -errno;
    event.events = EPOLLIN;
    event.data.u32 = (unsigned)clients;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &event) < 0) {
        close(ep);
        return -errno;
    }
    for (int i = 0; i < clients; i++) {
        event.data.u32 = (unsigned)i;
        status[i] = HANDED_BACK;
        if (used[i] < buffer_size && epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &event) == 0) {
            status[i] = READING;
            reading++;
        }
    }
    int stopped = 0;
    while (!stopped && reading) {
        int ready = epoll_wait(ep, events, 256, -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int k = 0; k < ready; k++) {
            unsigned i = events[k].data.u32;
            if (i == (unsigned)clients) {
                stopped = 1;
                continue;
            }
            if (status[i] != READING)
                continue;
            unsigned char *buf = buffers + (long)i * buffer_size;
            ssize_t got = recv(fds[i], buf + used[i], buffer_size - used[i], 0);
            int hand_back;
            if (got > 0) {
                used[i] += (int)got;
                hand_back = parse(fds[i], (int)i, buf, &used[i], now_us(), records, capacity, &count);
                hand_back = hand_back || used[i] == buffer_size || count == capacity;
            } else {
                /* an end of stream or an error: left in the socket for Python's own read to meet */
                hand_back = got == 0 || (errno != EAGAIN && errno != EINTR);
            }
            if (hand_back) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
                status[i] = HANDED_BACK;
                reading--;
                if (write(handback_fd, &i, sizeof i) != sizeof i)
                    break; /* Python has stopped listening: it takes every socket back at the end */
            }
        }
        if (count == capacity)
            break;
        if (ready < 256 && pause_us > 0)
            nanosleep(&pause, NULL);
    }
    close(ep);
    return count;
}
