// Ambit native addon: thin wrappers over libbpf and a few socket/namespace syscalls.
//
// Conventions (see native/README.md): every function returns a number that is either a
// result (fd, index, 0) or -errno; the TypeScript layer (native/lib/) owns the types,
// the meaning and the errors. Wrong argument types are programming errors and throw a
// TypeError. Nothing here keeps state except the table of open BPF objects.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <napi.h>

#include "netns.h"

namespace ambit {
namespace {

// The kernel's value of BPF_TCX_INGRESS (uapi linux/bpf.h since 6.6). The distribution's
// UAPI headers (6.1) and libbpf 1.1 predate tcx; the syscall itself takes the number.
constexpr int kTcxIngress = 46;

// ---- argument helpers ---------------------------------------------------------------

bool Fail(const Napi::CallbackInfo& info, const char* what) {
  Napi::TypeError::New(info.Env(), what).ThrowAsJavaScriptException();
  return false;
}

bool ArgInt(const Napi::CallbackInfo& info, size_t i, int64_t* out) {
  if (info.Length() <= i || !info[i].IsNumber()) return Fail(info, "expected a number argument");
  *out = info[i].As<Napi::Number>().Int64Value();
  return true;
}

bool ArgString(const Napi::CallbackInfo& info, size_t i, std::string* out) {
  if (info.Length() <= i || !info[i].IsString()) return Fail(info, "expected a string argument");
  *out = info[i].As<Napi::String>().Utf8Value();
  return true;
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, bool* out) {
  if (info.Length() <= i || !info[i].IsBoolean()) return Fail(info, "expected a boolean argument");
  *out = info[i].As<Napi::Boolean>().Value();
  return true;
}

bool ArgBytes(const Napi::CallbackInfo& info, size_t i, Napi::Uint8Array* out) {
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    return Fail(info, "expected a Uint8Array argument");
  }
  *out = info[i].As<Napi::Uint8Array>();
  return true;
}

Napi::Value Num(const Napi::CallbackInfo& info, int64_t v) { return Napi::Number::New(info.Env(), static_cast<double>(v)); }

// ---- libbpf log capture -------------------------------------------------------------

// libbpf reports details (the verifier log above all) through a global print callback.
// While openObject runs, the calling thread collects them here.
thread_local std::string* tls_log = nullptr;

int LibbpfPrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (tls_log == nullptr || level == LIBBPF_DEBUG) return 0;
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string chunk(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(chunk.data(), chunk.size(), fmt, args);
  chunk.resize(static_cast<size_t>(n));
  if (tls_log->size() < (1u << 20)) tls_log->append(chunk);
  return 0;
}

// ---- BPF objects --------------------------------------------------------------------

std::mutex objects_mu;
std::map<uint32_t, bpf_object*> objects;
uint32_t next_handle = 1;

// openObject(path) -> { error: 0 | -errno, log: string, handle?, programs?, maps? }
Napi::Value OpenObject(const Napi::CallbackInfo& info) {
  std::string path;
  if (!ArgString(info, 0, &path)) return info.Env().Undefined();
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);

  std::string log;
  tls_log = &log;
  int err = 0;
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (obj == nullptr) {
    err = -errno;
  } else {
    err = bpf_object__load(obj);
    if (err != 0) {
      bpf_object__close(obj);
      obj = nullptr;
    }
  }
  tls_log = nullptr;
  result.Set("error", Num(info, err));
  result.Set("log", Napi::String::New(env, log));
  if (obj == nullptr) return result;

  uint32_t handle;
  {
    std::lock_guard<std::mutex> lock(objects_mu);
    handle = next_handle++;
    objects[handle] = obj;
  }
  result.Set("handle", Num(info, handle));

  Napi::Array programs = Napi::Array::New(env);
  bpf_program* prog;
  uint32_t i = 0;
  bpf_object__for_each_program(prog, obj) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("name", Napi::String::New(env, bpf_program__name(prog)));
    p.Set("fd", Num(info, bpf_program__fd(prog)));
    p.Set("type", Num(info, bpf_program__type(prog)));
    programs.Set(i++, p);
  }
  result.Set("programs", programs);

  Napi::Array maps = Napi::Array::New(env);
  bpf_map* map;
  i = 0;
  bpf_object__for_each_map(map, obj) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("name", Napi::String::New(env, bpf_map__name(map)));
    m.Set("fd", Num(info, bpf_map__fd(map)));
    m.Set("type", Num(info, bpf_map__type(map)));
    m.Set("keySize", Num(info, bpf_map__key_size(map)));
    m.Set("valueSize", Num(info, bpf_map__value_size(map)));
    m.Set("maxEntries", Num(info, bpf_map__max_entries(map)));
    maps.Set(i++, m);
  }
  result.Set("maps", maps);
  return result;
}

// closeObject(handle) -> 0 | -ENOENT. Closes the object's program and map fds; programs
// still attached through a tcx link or a tc filter stay loaded (with their maps).
Napi::Value CloseObject(const Napi::CallbackInfo& info) {
  int64_t handle;
  if (!ArgInt(info, 0, &handle)) return info.Env().Undefined();
  bpf_object* obj = nullptr;
  {
    std::lock_guard<std::mutex> lock(objects_mu);
    auto it = objects.find(static_cast<uint32_t>(handle));
    if (it != objects.end()) {
      obj = it->second;
      objects.erase(it);
    }
  }
  if (obj == nullptr) return Num(info, -ENOENT);
  bpf_object__close(obj);
  return Num(info, 0);
}

// ---- maps ---------------------------------------------------------------------------

// mapUpdate(fd, key, value, flags) -> 0 | -errno
Napi::Value MapUpdate(const Napi::CallbackInfo& info) {
  int64_t fd, flags;
  Napi::Uint8Array key, value;
  if (!ArgInt(info, 0, &fd) || !ArgBytes(info, 1, &key) || !ArgBytes(info, 2, &value) || !ArgInt(info, 3, &flags)) {
    return info.Env().Undefined();
  }
  return Num(info, bpf_map_update_elem(static_cast<int>(fd), key.Data(), value.Data(), static_cast<uint64_t>(flags)));
}

// mapLookup(fd, key, valueOut) -> 0 | -errno (valueOut must be the map's value size, or
// for per-CPU maps value size rounded to 8 times the number of possible CPUs).
Napi::Value MapLookup(const Napi::CallbackInfo& info) {
  int64_t fd;
  Napi::Uint8Array key, value;
  if (!ArgInt(info, 0, &fd) || !ArgBytes(info, 1, &key) || !ArgBytes(info, 2, &value)) return info.Env().Undefined();
  return Num(info, bpf_map_lookup_elem(static_cast<int>(fd), key.Data(), value.Data()));
}

// mapDelete(fd, key) -> 0 | -errno
Napi::Value MapDelete(const Napi::CallbackInfo& info) {
  int64_t fd;
  Napi::Uint8Array key;
  if (!ArgInt(info, 0, &fd) || !ArgBytes(info, 1, &key)) return info.Env().Undefined();
  return Num(info, bpf_map_delete_elem(static_cast<int>(fd), key.Data()));
}

// mapNextKey(fd, key | null, nextOut) -> 0 | -ENOENT (no more keys) | -errno
Napi::Value MapNextKey(const Napi::CallbackInfo& info) {
  int64_t fd;
  Napi::Uint8Array key, next;
  if (!ArgInt(info, 0, &fd)) return info.Env().Undefined();
  bool first = info.Length() > 1 && info[1].IsNull();
  if ((!first && !ArgBytes(info, 1, &key)) || !ArgBytes(info, 2, &next)) return info.Env().Undefined();
  return Num(info, bpf_map_get_next_key(static_cast<int>(fd), first ? nullptr : key.Data(), next.Data()));
}

// possibleCpus() -> n | -errno
Napi::Value PossibleCpus(const Napi::CallbackInfo& info) { return Num(info, libbpf_num_possible_cpus()); }

// ---- attach -------------------------------------------------------------------------

// tcxAttach(progFd, ifindex, netns) -> link fd | -errno. Closing the fd detaches.
Napi::Value TcxAttach(const Napi::CallbackInfo& info) {
  int64_t prog_fd, ifindex;
  std::string netns;
  if (!ArgInt(info, 0, &prog_fd) || !ArgInt(info, 1, &ifindex) || !ArgString(info, 2, &netns)) {
    return info.Env().Undefined();
  }
  auto op = [&]() -> int {
    return bpf_link_create(static_cast<int>(prog_fd), static_cast<int>(ifindex),
                           static_cast<enum bpf_attach_type>(kTcxIngress), nullptr);
  };
  return Num(info, InNetns(netns, op));
}

void IngressHook(bpf_tc_hook* hook, int ifindex) {
  memset(hook, 0, sizeof(*hook));
  hook->sz = sizeof(*hook);
  hook->ifindex = ifindex;
  hook->attach_point = BPF_TC_INGRESS;
}

// tcAttach(progFd, ifindex, handle, priority, netns) -> 0 | -errno. Creates the clsact
// qdisc if missing and installs (or replaces) a direct-action cls_bpf filter.
Napi::Value TcAttach(const Napi::CallbackInfo& info) {
  int64_t prog_fd, ifindex, handle, priority;
  std::string netns;
  if (!ArgInt(info, 0, &prog_fd) || !ArgInt(info, 1, &ifindex) || !ArgInt(info, 2, &handle) ||
      !ArgInt(info, 3, &priority) || !ArgString(info, 4, &netns)) {
    return info.Env().Undefined();
  }
  auto op = [&]() -> int {
    bpf_tc_hook hook;
    IngressHook(&hook, static_cast<int>(ifindex));
    int err = bpf_tc_hook_create(&hook);
    if (err != 0 && err != -EEXIST) return err;
    bpf_tc_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.sz = sizeof(opts);
    opts.prog_fd = static_cast<int>(prog_fd);
    opts.flags = BPF_TC_F_REPLACE;
    opts.handle = static_cast<uint32_t>(handle);
    opts.priority = static_cast<uint32_t>(priority);
    return bpf_tc_attach(&hook, &opts);
  };
  return Num(info, InNetns(netns, op));
}

// tcDetach(ifindex, handle, priority, netns) -> 0 | -errno. Deletes our filter only; the
// clsact qdisc stays (other filters may live there).
Napi::Value TcDetach(const Napi::CallbackInfo& info) {
  int64_t ifindex, handle, priority;
  std::string netns;
  if (!ArgInt(info, 0, &ifindex) || !ArgInt(info, 1, &handle) || !ArgInt(info, 2, &priority) ||
      !ArgString(info, 3, &netns)) {
    return info.Env().Undefined();
  }
  auto op = [&]() -> int {
    bpf_tc_hook hook;
    IngressHook(&hook, static_cast<int>(ifindex));
    bpf_tc_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.sz = sizeof(opts);
    opts.handle = static_cast<uint32_t>(handle);
    opts.priority = static_cast<uint32_t>(priority);
    return bpf_tc_detach(&hook, &opts);
  };
  return Num(info, InNetns(netns, op));
}

// ---- sockets and interfaces ---------------------------------------------------------

// listen(ip, port, backlog, transparent, netns) -> fd | -errno. An IPv4 TCP listener
// (close-on-exec, non-blocking, SO_REUSEADDR, IP_TRANSPARENT when asked) created in
// `netns`, ready for net.Server#listen({ fd }).
Napi::Value Listen(const Napi::CallbackInfo& info) {
  std::string ip, netns;
  int64_t port, backlog;
  bool transparent;
  if (!ArgString(info, 0, &ip) || !ArgInt(info, 1, &port) || !ArgInt(info, 2, &backlog) ||
      !ArgBool(info, 3, &transparent) || !ArgString(info, 4, &netns)) {
    return info.Env().Undefined();
  }
  sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return Num(info, -EINVAL);
  auto op = [&]() -> int {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -errno;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        (transparent && setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) != 0) ||
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(fd, static_cast<int>(backlog)) != 0) {
      int err = -errno;
      close(fd);
      return err;
    }
    return fd;
  };
  return Num(info, InNetns(netns, op));
}

// bindFrom(srcIp) -> fd | -errno: a TCP socket (non-blocking, close-on-exec, TCP_NODELAY)
// bound to srcIp:0 with IP_TRANSPARENT, not yet connected: Node adopts it and connects
// it (net.Socket({ fd }).connect), so the connection's source is srcIp although that
// address is not this host's.
Napi::Value BindFrom(const Napi::CallbackInfo& info) {
  std::string src_ip;
  if (!ArgString(info, 0, &src_ip)) return info.Env().Undefined();
  sockaddr_in src;
  memset(&src, 0, sizeof(src));
  src.sin_family = AF_INET;
  if (inet_pton(AF_INET, src_ip.c_str(), &src.sin_addr) != 1) return Num(info, -EINVAL);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Num(info, -errno);
  int one = 1;
  if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) != 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof(src)) != 0) {
    int err = -errno;
    close(fd);
    return Num(info, err);
  }
  return Num(info, fd);
}

// ifindex(name, netns) -> ifindex | -errno
Napi::Value Ifindex(const Napi::CallbackInfo& info) {
  std::string name, netns;
  if (!ArgString(info, 0, &name) || !ArgString(info, 1, &netns)) return info.Env().Undefined();
  auto op = [&]() -> int {
    unsigned int index = if_nametoindex(name.c_str());
    return index == 0 ? -errno : static_cast<int>(index);
  };
  return Num(info, InNetns(netns, op));
}

// closeFd(fd) -> 0 | -errno
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int64_t fd;
  if (!ArgInt(info, 0, &fd)) return info.Env().Undefined();
  return Num(info, close(static_cast<int>(fd)) == 0 ? 0 : -errno);
}

}  // namespace
}  // namespace ambit

static Napi::Object InitAmbitNative(Napi::Env env, Napi::Object exports) {
  using namespace ambit;
  libbpf_set_print(LibbpfPrint);
  exports.Set("openObject", Napi::Function::New(env, OpenObject, "openObject"));
  exports.Set("closeObject", Napi::Function::New(env, CloseObject, "closeObject"));
  exports.Set("mapUpdate", Napi::Function::New(env, MapUpdate, "mapUpdate"));
  exports.Set("mapLookup", Napi::Function::New(env, MapLookup, "mapLookup"));
  exports.Set("mapDelete", Napi::Function::New(env, MapDelete, "mapDelete"));
  exports.Set("mapNextKey", Napi::Function::New(env, MapNextKey, "mapNextKey"));
  exports.Set("possibleCpus", Napi::Function::New(env, PossibleCpus, "possibleCpus"));
  exports.Set("tcxAttach", Napi::Function::New(env, TcxAttach, "tcxAttach"));
  exports.Set("tcAttach", Napi::Function::New(env, TcAttach, "tcAttach"));
  exports.Set("tcDetach", Napi::Function::New(env, TcDetach, "tcDetach"));
  exports.Set("listen", Napi::Function::New(env, Listen, "listen"));
  exports.Set("ifindex", Napi::Function::New(env, Ifindex, "ifindex"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("bindFrom", Napi::Function::New(env, BindFrom, "bindFrom"));
  return exports;
}

NODE_API_MODULE(ambit_native, InitAmbitNative)
