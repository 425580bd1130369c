/* Ambit transparent capture: tc/tcx ingress programs that hand enrolled pods' TCP
 * connections to the node daemon's transparent listeners with bpf_sk_assign.
 *
 * Two programs share the maps of this one object:
 *   ambit_pod_ingress     on the host-side veth of pods (ingress = traffic leaving the pod)
 *     - source is an enrolled pod (arriving on its own veth) -> outbound listener (15001)
 *     - otherwise, destination is an enrolled pod (same-node client that is not
 *       enrolled)                                             -> inbound capture below
 *     - otherwise, destination in the configured Service range (a pod outside the
 *       mesh using a Service VIP where no kube-proxy runs)    -> outbound listener
 *   ambit_uplink_ingress  on the node's uplink (traffic arriving from other nodes)
 *     - destination is an enrolled pod: port 15008 -> HBONE listener (15008),
 *       any other port -> inbound plaintext listener (15006)
 * The uplink program never looks at the source, so a remote host cannot borrow a local
 * pod's address to reach the outbound listener (and with it the pod's identity).
 *
 * For every candidate packet: an existing socket for the real tuple (established,
 * request or TIME_WAIT; found with bpf_skc_lookup_tcp) wins; otherwise a SYN (SYN
 * without ACK) is assigned to the proxy listener taken from the sockmap.
 *
 * TIME_WAIT and a fresh SYN on the same tuple (the proxy closed first, the pod reuses
 * its port at once): the SYN goes to the TIME_WAIT socket, NOT to the listener. Given to
 * the listener, the kernel (6.18) silently drops the new request socket because the
 * TIME_WAIT socket still holds the tuple in the established hash (duplicate), and keeps
 * doing so for up to 60 s. Given to the TIME_WAIT socket, TCP does what it does for any
 * unexpected SYN there: the kernel's listener lookup for the original destination finds
 * nothing, so it answers with an ACK; the client resets, which kills the TIME_WAIT
 * socket, and re-sends its SYN at once (TCP_TIMEOUT_MIN); that SYN finds no socket and
 * is assigned to the listener. Cost: one extra round trip on the node. (Needs the node
 * netns to keep net.ipv4.tcp_rfc1337 = 0, the default.)
 * Packets with a socket assigned also get the configured mark, so the node's policy
 * routing (fwmark -> table with `local 0.0.0.0/0 dev lo`) delivers them locally instead
 * of forwarding them (forwarded packets that carry a socket are dropped by the stack).
 *
 * Not captured: packets addressed to the node IP, non-TCP, IPv6 (IPv4 only for now:
 * IPv6 passes untouched), IP fragments, non-Ethernet devices, and mid-stream packets of
 * connections that started before enrollment (they keep flowing directly).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "redirect.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, AMBIT_LISTENER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ambit_listeners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AMBIT_MAX_PODS);
	__type(key, __be32);
	__type(value, struct ambit_pod);
} ambit_pods SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ambit_config);
} ambit_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AMBIT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ambit_stats SEC(".maps");

struct flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 syn_only; /* SYN set, ACK clear: the first packet of a new connection */
};

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&ambit_stats, &stat);
	if (v)
		*v += 1;
}

/* Reads the IPv4/TCP tuple; 0 on success, -1 for anything that is not IPv4 TCP. Uses
 * bpf_skb_load_bytes so that non-linear skbs need no pull. */
static __always_inline int parse(struct __sk_buff *skb, struct flow *f)
{
	struct iphdr ip;
	struct tcphdr tcp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return -1;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
		return -1;
	if (ip.version != 4 || ip.protocol != IPPROTO_TCP)
		return -1;
	if (ip.frag_off & bpf_htons(0x3fff)) /* MF or a fragment offset */
		return -1;
	__u32 ihl = ip.ihl * 4;
	if (ihl < sizeof(ip))
		return -1;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ihl, &tcp, sizeof(tcp)) < 0)
		return -1;
	f->saddr = ip.saddr;
	f->daddr = ip.daddr;
	f->sport = tcp.source;
	f->dport = tcp.dest;
	f->syn_only = tcp.syn && !tcp.ack;
	return 0;
}

/* What a program returns for a packet that is not ours: TC_ACT_UNSPEC, i.e. TCX_NEXT
 * with tcx (the next program attached to the device still sees it) and "continue with the
 * next filter" with netlink cls_bpf; without another program or filter the packet goes on
 * as with TC_ACT_OK. TC_ACT_OK (TCX_PASS) would end the chain for programs attached
 * after ours. Packets we assign a socket to end it (TC_ACT_OK). */
#define NOT_OURS TC_ACT_UNSPEC

/* Hands the packet to the socket it belongs to, or (new connection) to the listener of
 * `kind`. The sk->state load stays in the lookup branch only: sharing it with the
 * sockmap pointer fails verification ("same insn cannot be used with different
 * pointers"). */
static __always_inline int capture(struct __sk_buff *skb, const struct flow *f, __u32 kind,
				   const struct ambit_config *cfg)
{
	struct bpf_sock_tuple tuple = {};
	long err;

	tuple.ipv4.saddr = f->saddr;
	tuple.ipv4.daddr = f->daddr;
	tuple.ipv4.sport = f->sport;
	tuple.ipv4.dport = f->dport;

	struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		/* A listener found by the lookup is the node's own (e.g. sshd on 0.0.0.0:22),
		 * never the proxy: skip it. Anything else (TIME_WAIT included, see above) owns
		 * the packet. */
		if (sk->state != BPF_TCP_LISTEN) {
			err = bpf_sk_assign(skb, sk, 0);
			bpf_sk_release(sk);
			if (err) {
				count(AMBIT_STAT_ASSIGN_FAILED);
				return TC_ACT_SHOT;
			}
			skb->mark |= cfg->mark;
			count(AMBIT_STAT_EXISTING);
			return TC_ACT_OK;
		}
		bpf_sk_release(sk);
	}

	if (!f->syn_only)
		return NOT_OURS; /* a connection that predates enrollment, or a stray */

	struct bpf_sock *listener = bpf_map_lookup_elem(&ambit_listeners, &kind);
	if (!listener) {
		count(AMBIT_STAT_NO_LISTENER);
		return (cfg->flags & AMBIT_CFG_DROP_WITHOUT_LISTENER) ? TC_ACT_SHOT : NOT_OURS;
	}
	err = bpf_sk_assign(skb, listener, 0);
	bpf_sk_release(listener);
	if (err) {
		count(AMBIT_STAT_ASSIGN_FAILED);
		return TC_ACT_SHOT;
	}
	skb->mark |= cfg->mark;
	count(kind == AMBIT_LISTENER_OUTBOUND ? AMBIT_STAT_OUTBOUND_SYN
		: kind == AMBIT_LISTENER_HBONE ? AMBIT_STAT_HBONE_SYN
		: AMBIT_STAT_INBOUND_SYN);
	return TC_ACT_OK;
}

static __always_inline int capture_inbound(struct __sk_buff *skb, const struct flow *f,
					   const struct ambit_config *cfg)
{
	if (!bpf_map_lookup_elem(&ambit_pods, &f->daddr))
		return NOT_OURS;
	__u32 kind = f->dport == bpf_htons(AMBIT_HBONE_PORT) ? AMBIT_LISTENER_HBONE
							       : AMBIT_LISTENER_INBOUND_PLAINTEXT;
	return capture(skb, f, kind, cfg);
}

static __always_inline const struct ambit_config *config(void)
{
	__u32 zero = 0;
	const struct ambit_config *cfg = bpf_map_lookup_elem(&ambit_config, &zero);
	if (!cfg || !cfg->mark)
		return 0; /* not configured yet: capture nothing */
	return cfg;
}

SEC("tc")
int ambit_pod_ingress(struct __sk_buff *skb)
{
	const struct ambit_config *cfg = config();
	struct flow f = {};

	if (!cfg || parse(skb, &f) < 0 || f.daddr == cfg->node_ip)
		return NOT_OURS;

	const struct ambit_pod *pod = bpf_map_lookup_elem(&ambit_pods, &f.saddr);
	if (pod) {
		if (pod->ifindex && pod->ifindex != skb->ingress_ifindex) {
			count(AMBIT_STAT_SPOOFED);
			return TC_ACT_SHOT;
		}
		return capture(skb, &f, AMBIT_LISTENER_OUTBOUND, cfg);
	}
	if (cfg->service_mask && (f.daddr & cfg->service_mask) == cfg->service_net)
		return capture(skb, &f, AMBIT_LISTENER_OUTBOUND, cfg);
	return capture_inbound(skb, &f, cfg);
}

SEC("tc")
int ambit_uplink_ingress(struct __sk_buff *skb)
{
	const struct ambit_config *cfg = config();
	struct flow f = {};

	if (!cfg || parse(skb, &f) < 0 || f.daddr == cfg->node_ip)
		return NOT_OURS;
	return capture_inbound(skb, &f, cfg);
}

/* No GPL-only helper is used; the string only has to be present. */
char LICENSE[] SEC("license") = "Apache-2.0";
