/*
 * The token counters' side of the statistics (stats_tokens.c), as
 * stats.c and stats_render.c call it: their own per-shard arrays beside
 * the main counters, snapshotted and rendered after them.
 */
#ifndef VEIL_OBSERVE_STATS_TOKENS_H
#define VEIL_OBSERVE_STATS_TOKENS_H

#include "veil/stats.h"

typedef struct veil__stats_tokens veil__stats_tokens_t;

/* Counters for <nshards> workers and the main shard (index <nshards>,
   atomic adds), placeholders for <rcap> routes. NULL without memory. */
veil__stats_tokens_t *veil__stats_tokens_new(unsigned nshards, size_t rcap);
void veil__stats_tokens_free(veil__stats_tokens_t *t);

/* The token counters of shard <sh>: its index and whether it is the
   shared main shard (stats.c, which owns the shards). */
veil__stats_tokens_t *veil__stats_tokens_of(veil_stats_shard_t *sh, unsigned *index, int *shared);

/* The sums of every shard (routes: the first <nroutes>). NULL without
   memory; freed with veil__stats_tokens_snapshot_free(). */
veil_stats_tokens_snapshot_t *veil__stats_tokens_snapshot(veil__stats_tokens_t *t, size_t nroutes);
void veil__stats_tokens_snapshot_free(veil_stats_tokens_snapshot_t *ts);

/* The "tokens", "placeholders" and "detokenize_requests" members of the
   /stats document, and their families in /metrics. */
void veil__stats_tokens_json(const veil_stats_snapshot_t *sn, veil_jbuf_t *b);
void veil__stats_tokens_prometheus(const veil_stats_snapshot_t *sn, veil_jbuf_t *b);

#endif
