#ifndef DMARC_CCARES_SHIM_H
#define DMARC_CCARES_SHIM_H
#include <ares.h>
#include <stddef.h>
#include <sys/select.h>

/// One turn of the event loop: waits until a socket of the channel or `wake_fd` is readable (or the
/// channel's next timeout, at most `max_ms`), then lets c-ares read, write and expire queries.
/// fd_set and its macros are macros in C, out of Swift's reach; hence a static inline shim.
/// Returns 1 when `wake_fd` is readable (new work queued), else 0.
static inline int dmarc_ares_turn(ares_channel channel, int wake_fd, int max_ms) {
    fd_set readers, writers;
    FD_ZERO(&readers);
    FD_ZERO(&writers);
    int nfds = ares_fds(channel, &readers, &writers);
    if (wake_fd >= 0 && wake_fd < FD_SETSIZE) {
        FD_SET(wake_fd, &readers);
        if (wake_fd + 1 > nfds) nfds = wake_fd + 1;
    }
    struct timeval longest = { max_ms / 1000, (max_ms % 1000) * 1000 }, wait;
    struct timeval *limit = ares_timeout(channel, &longest, &wait);
    int ready = select(nfds, &readers, &writers, NULL, limit);
    if (ready < 0) {
        // EINTR: nothing is known to be ready; still let c-ares expire what timed out.
        FD_ZERO(&readers);
        FD_ZERO(&writers);
        ares_process(channel, &readers, &writers);
        return 0;
    }
    int woken = (wake_fd >= 0 && wake_fd < FD_SETSIZE && FD_ISSET(wake_fd, &readers)) ? 1 : 0;
    if (woken) FD_CLR(wake_fd, &readers);
    ares_process(channel, &readers, &writers);
    return woken;
}
#endif
