#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

namespace ambit {
namespace {

struct NetnsCall {
  int ns_fd;
  int (*fn)(void*);
  void* arg;
  int result;
};

void* NetnsThread(void* p) {
  auto* call = static_cast<NetnsCall*>(p);
  if (setns(call->ns_fd, CLONE_NEWNET) != 0) {
    call->result = -errno;
    return nullptr;
  }
  call->result = call->fn(call->arg);
  return nullptr;
}

}  // namespace

int RunInNetns(const std::string& netns_path, int (*fn)(void*), void* arg) {
  if (netns_path.empty()) return fn(arg);
  int ns_fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns_fd < 0) return -errno;
  NetnsCall call{ns_fd, fn, arg, 0};
  pthread_t thread;
  int rc = pthread_create(&thread, nullptr, NetnsThread, &call);
  if (rc != 0) {
    close(ns_fd);
    return -rc;
  }
  pthread_join(thread, nullptr);
  close(ns_fd);
  return call.result;
}

}  // namespace ambit
