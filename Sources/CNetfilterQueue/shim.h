// libnetfilter_queue (Debian's libnetfilter-queue-dev) and the few calls around it that Swift
// cannot make directly: variadic syscall(2) for pidfd_open, and the packet id in host order.
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

/// The queue's id of a packet, in host order (0 when the message carries no packet header).
static inline uint32_t fl_nfq_packet_id(struct nfq_data *data) {
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    return header ? ntohl(header->packet_id) : 0;
}

/// A descriptor that becomes readable when process `pid` exits (-1 with errno when it cannot be opened).
static inline int fl_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/// Keeps the kernel from reporting ENOBUFS on the queue's socket when it had to drop messages.
static inline int fl_netlink_no_enobufs(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof on);
}

#include <fcntl.h>
#include <signal.h>

static int fl_term_pipe[2] = {-1, -1};
static void fl_term_handler(int signal) { char byte = 1; (void)!write(fl_term_pipe[1], &byte, 1); }

/// A descriptor that becomes readable when the process receives SIGTERM (which then no longer
/// ends it), so a poll loop can finish its work first; -1 when it cannot be set up.
static inline int fl_sigterm_descriptor(void) {
    if (pipe2(fl_term_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    struct sigaction action = {0};
    action.sa_handler = fl_term_handler;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGTERM, &action, NULL) != 0) return -1;
    return fl_term_pipe[0];
}

/// The netfilter hook a packet was queued from (NF_INET_LOCAL_IN: arriving, NF_INET_LOCAL_OUT:
/// leaving), 255 when the message carries no packet header.
static inline uint8_t fl_nfq_packet_hook(struct nfq_data *data) {
    struct nfqnl_msg_packet_hdr *header = nfq_get_msg_packet_hdr(data);
    return header ? header->hook : 255;
}
