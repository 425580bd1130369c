// Runs a function with the calling context switched into another network namespace.
//
// setns(CLONE_NEWNET) changes the namespace of the calling *thread*. Doing that on a
// Node (main or libuv) thread would leak the namespace into everything else that thread
// runs later, so the work happens on a short-lived pthread of our own, which switches,
// runs `fn`, and exits. The caller blocks until it is done (these operations take
// microseconds to a few milliseconds). Sockets and interface indexes obtained there stay
// bound to that namespace; BPF link and map fds are not namespace-bound.
#pragma once

#include <string>

namespace ambit {

// Calls fn() in the namespace at `netns_path` (e.g. /run/netns/NAME, /proc/PID/ns/net);
// in the current namespace when the path is empty. Returns fn's result, or -errno when
// the namespace cannot be opened or entered, or the thread cannot be created.
int RunInNetns(const std::string& netns_path, int (*fn)(void*), void* arg);

template <typename F>
int InNetns(const std::string& netns_path, F& f) {
  return RunInNetns(
      netns_path, [](void* p) -> int { return (*static_cast<F*>(p))(); }, &f);
}

}  // namespace ambit
