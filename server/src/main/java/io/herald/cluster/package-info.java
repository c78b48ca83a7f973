/**
 * Cluster mode: several Herald nodes share one Redis stream. Every published event is appended
 * to the stream ({@link io.herald.cluster.RedisEventLog}), which assigns its id; every node reads
 * the stream back ({@link io.herald.cluster.StreamReader}) and hands the events, with those ids,
 * to its own {@link io.herald.fanout.Broadcaster}. Delivery and replay on a node stay what they
 * are on a single node.
 */
package io.herald.cluster;
