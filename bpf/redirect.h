/* Shared definitions of the Ambit redirect program (bpf/redirect.bpf.c).
 *
 * The TypeScript wrapper (native/lib/redirect-layout.ts) mirrors every constant and
 * struct here byte for byte; on load it checks each map's key and value sizes against
 * its own layout and refuses an object that disagrees. Change both together.
 *
 * Byte order: IPv4 addresses are stored as they appear in the packet (network order);
 * every other integer is in host order.
 */
#ifndef AMBIT_REDIRECT_H
#define AMBIT_REDIRECT_H

#include <linux/types.h>

/* Program names (libbpf finds them by function name). */
#define AMBIT_PROG_POD "ambit_pod_ingress"
#define AMBIT_PROG_UPLINK "ambit_uplink_ingress"

/* Keys of the listener sockmap (map "ambit_listeners", u32 key -> u64 socket fd/cookie). */
#define AMBIT_LISTENER_OUTBOUND 0          /* 15001: traffic leaving an enrolled pod */
#define AMBIT_LISTENER_INBOUND_PLAINTEXT 1 /* 15006: plaintext traffic to an enrolled pod */
#define AMBIT_LISTENER_HBONE 2             /* 15008: HBONE (mTLS) to an enrolled pod */
#define AMBIT_LISTENER_MAX 3

/* Destination port that selects the HBONE listener for inbound traffic. */
#define AMBIT_HBONE_PORT 15008

/* Map "ambit_pods": key = __be32 pod IPv4 address, value = struct ambit_pod. */
struct ambit_pod {
	/* Host-side interface (in the node netns) the pod's packets must arrive on.
	 * 0 = any interface (no anti-spoofing check). */
	__u32 ifindex;
	__u32 flags; /* reserved, 0 */
};
#define AMBIT_MAX_PODS 4096

/* Map "ambit_config": array with one element (key 0). */
struct ambit_config {
	__be32 node_ip; /* packets to this address are never captured */
	__u32 mark;     /* OR-ed into skb->mark of captured packets; 0 = capture disabled */
	__u32 flags;    /* AMBIT_CFG_* */
	__u32 reserved; /* 0 */
	/* Service VIP range (kube-proxy's job where there is no kube-proxy, as in ambit
	 * local): a new connection from a local pod that is NOT enrolled to an address in
	 * service_net/service_mask also goes to the outbound listener, where the daemon
	 * picks an endpoint and connects in plaintext. service_mask 0 = off. */
	__be32 service_net;
	__be32 service_mask;
};
/* When the listener a new connection needs is missing from the sockmap (daemon gone or
 * restarting), drop the SYN instead of letting it through uncaptured. */
#define AMBIT_CFG_DROP_WITHOUT_LISTENER (1u << 0)

/* Map "ambit_stats": per-CPU array of __u64 counters, indexed by enum ambit_stat. */
enum ambit_stat {
	AMBIT_STAT_OUTBOUND_SYN = 0,     /* new connections assigned to the outbound listener */
	AMBIT_STAT_INBOUND_SYN = 1,      /* ... to the inbound plaintext listener */
	AMBIT_STAT_HBONE_SYN = 2,        /* ... to the HBONE listener */
	AMBIT_STAT_EXISTING = 3,         /* packets assigned to an existing (proxy) socket */
	AMBIT_STAT_NO_LISTENER = 4,      /* SYNs that found no listener in the sockmap */
	AMBIT_STAT_ASSIGN_FAILED = 5,    /* bpf_sk_assign errors (packet dropped) */
	AMBIT_STAT_SPOOFED = 6,          /* enrolled source address on the wrong interface (dropped) */
	AMBIT_STAT_MAX = 7,
};

#endif /* AMBIT_REDIRECT_H */
