package dev.ratelimiter.redis;

import dev.ratelimiter.spi.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The store's command layer: routes each command to the {@link NodePipeline} of the node that
 * owns its key, and waits for the reply until the command's one deadline.
 *
 * <p>Standalone: one node. Cluster: a slot map (16,384 slots, CRC16 of the key with hash tags,
 * via Jedis' {@code JedisClusterCRC16}) read with {@code CLUSTER SLOTS} at start; a
 * {@code MOVED} reply updates the slot at once and schedules a full refresh, then the command
 * goes to the new owner; an {@code ASK} reply sends it once to the importing node behind
 * {@code ASKING}; a broken connection to a node (it died, or failed over) schedules a refresh
 * too, so the next commands go to whichever node now serves the slot. Refreshes run on one
 * background thread, at most one every {@link #REFRESH_INTERVAL_NANOS}, never under a lock and
 * never on a caller's thread.
 *
 * <p>Each node has one {@link NodePipeline} with {@code connectionsPerNode} connections and no
 * threads of its own: callers take turns leading round trips. One {@link DeadlineSweeper} thread
 * per store wakes callers whose deadline passed while they waited (they park with no timer).
 *
 * <p>Thread-safe.
 */
final class RedisPipelines implements NodePipeline.Redirects, AutoCloseable {

    static final int SLOTS = 16384;
    static final long REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final JedisClientConfig config;
    private final int connectionsPerNode;
    private final int maxQueued;
    private final long timeoutNanos;
    private final StoreErrors errors;
    private final boolean cluster;
    private final HostAndPort standalone;
    private final List<HostAndPort> seeds;
    private final AtomicReferenceArray<HostAndPort> slots;
    private final ConcurrentMap<HostAndPort, NodePipeline[]> nodes = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshScheduled = new AtomicBoolean();
    private volatile long lastRefresh = System.nanoTime() - REFRESH_INTERVAL_NANOS;
    private volatile Thread refresher;
    /** Replicas named by the last {@code CLUSTER SLOTS}: asked too when refreshing. */
    private volatile Set<HostAndPort> replicas = Set.of();
    private volatile boolean closed;
    private final DeadlineSweeper sweeper;

    /**
     * @param target where to connect; a cluster's slot map is read now
     * @throws StoreUnavailableException if no cluster seed node answers {@code CLUSTER SLOTS}
     */
    RedisPipelines(RedisTarget target, JedisClientConfig config, int connectionsPerNode,
                   int maxQueued, long timeoutNanos, StoreErrors errors) {
        this.config = config;
        this.connectionsPerNode = connectionsPerNode;
        this.maxQueued = maxQueued;
        this.timeoutNanos = timeoutNanos;
        this.errors = errors;
        this.cluster = target.cluster;
        this.seeds = target.nodes;
        if (cluster) {
            standalone = null;
            slots = new AtomicReferenceArray<>(SLOTS);
            RuntimeException failure = refreshSlots();
            if (failure != null) {
                throw errors.unavailable(failure);
            }
        } else {
            standalone = target.nodes.get(0);
            slots = null;
        }
        sweeper = new DeadlineSweeper(nodes::values, timeoutNanos, target.nodes.get(0).toString());
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** @return commands queued on every node and not yet written */
    int queued() {
        int n = 0;
        for (NodePipeline[] group : nodes.values()) {
            for (NodePipeline p : group) {
                n += p.queued();
            }
        }
        return n;
    }

    /**
     * Sends one command and waits for its reply until {@code deadline}.
     *
     * @param args the command
     * @param key the key it touches (routing), or null for any node
     * @param scriptSource for an {@code EVALSHA}: the script, loaded after {@code NOSCRIPT}
     * @param deadline {@link System#nanoTime()} after which to give up
     * @return the reply
     * @throws dev.ratelimiter.spi.StoreOverloadedException if the command could not be queued
     *     or written before the deadline (this JVM is busy)
     * @throws StoreUnavailableException if Redis refused, broke the connection, answered with an
     *     error, or did not answer a written command before the deadline
     */
    Object execute(CommandArguments args, byte[] key, byte[] scriptSource, long deadline) {
        PipelinedCommand c = new PipelinedCommand(args, key, scriptSource, deadline, false);
        pipelineFor(key).enqueue(c);
        sweeper.nudge();
        return await(c);
    }

    private Object await(PipelinedCommand c) {
        boolean interrupted = false;
        try {
            while (true) {
                if (c.isDone()) {
                    return result(c);
                }
                long left = c.deadline - System.nanoTime();
                if (left <= 0) {
                    if (c.abandonIfQueued()) {
                        throw errors.overloaded("could not send a command within its timeout"
                                + " (ratelimiter.redis.timeoutMs = "
                                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                + "): it waited in this JVM's queue");
                    }
                    // Written and not answered in time, unless the reply has just come.
                    c.giveUp(errors.notAnswered(TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
                    return result(c);
                }
                NodePipeline p = c.pipeline;
                if (p != null) {
                    p.lead(c.deadline); // returns at once if another thread leads
                    if (c.isDone()) {
                        return result(c);
                    }
                }
                // No timer (see DeadlineSweeper): woken by the reply, by a leader handing over,
                // or by the sweeper once the deadline has passed.
                LockSupport.park(c);
                if (Thread.interrupted()) {
                    // Keep waiting (the deadline bounds it) and restore the flag at the end:
                    // parking with the flag set would return at once, again and again.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Object result(PipelinedCommand c) {
        Object o = c.outcome();
        if (o instanceof RuntimeException e) {
            throw e;
        }
        return o;
    }

    private NodePipeline pipelineFor(byte[] key) {
        HostAndPort node;
        if (!cluster) {
            node = standalone;
        } else {
            int slot = key == null ? 0 : JedisClusterCRC16.getSlot(key);
            node = slots.get(slot);
            if (node == null) {
                scheduleRefresh();
                throw new StoreUnavailableException("Redis store " + errors.store()
                        + " knows no node serving slot " + slot + " (cluster down or"
                        + " resharding?)", null);
            }
        }
        return pipelineOf(node);
    }

    private NodePipeline pipelineOf(HostAndPort node) {
        NodePipeline[] group = nodes.get(node);
        if (group == null) {
            group = nodes.computeIfAbsent(node, n -> new NodePipeline[] {
                new NodePipeline(n, config, connectionsPerNode, maxQueued, errors, this)});
            if (closed) {
                for (NodePipeline p : group) {
                    p.close();
                }
            }
        }
        return group[0];
    }

    @Override
    public void redirect(PipelinedCommand command, HostAndPort target, int slot, boolean ask) {
        if (++command.retries > NodePipeline.MAX_RETRIES) {
            command.complete(new StoreUnavailableException("Redis store " + errors.store()
                    + " redirected a command " + NodePipeline.MAX_RETRIES
                    + " times (last to " + target + " for slot " + slot + ")", null));
            return;
        }
        if (ask) {
            command.askingNode = target;
        } else {
            command.askingNode = null;
            if (slots != null) {
                slots.set(slot, target);
            }
            scheduleRefresh();
        }
        pipelineOf(target).resubmit(command);
    }

    @Override
    public void connectionFailed(HostAndPort node) {
        if (cluster) {
            scheduleRefresh();
        }
    }

    /** Asks the refresher thread for a new slot map, at most once per interval. */
    private void scheduleRefresh() {
        if (!cluster || closed || !refreshScheduled.compareAndSet(false, true)) {
            return;
        }
        Thread t = refresher;
        if (t == null) {
            synchronized (this) {
                if (refresher == null) {
                    Thread r = new Thread(this::refreshLoop,
                            "ratelimiter-redis-slots-" + seeds.get(0));
                    r.setDaemon(true);
                    refresher = r;
                    r.start();
                }
                t = refresher;
            }
        }
        LockSupport.unpark(t);
    }

    private void refreshLoop() {
        while (!closed) {
            if (!refreshScheduled.get()) {
                LockSupport.park(this);
                continue;
            }
            long wait = lastRefresh + REFRESH_INTERVAL_NANOS - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait); // rate limit: a failing node asks often
                continue;
            }
            refreshScheduled.set(false);
            lastRefresh = System.nanoTime();
            refreshSlots();
        }
    }

    /**
     * Reads {@code CLUSTER SLOTS} and replaces the slot map. Nodes are asked in turn (known
     * masters, their replicas, then the seeds); a view that still names a master this refresh
     * could not reach (a node that died, whose replica may have taken over) is kept only if no
     * node gives one without it.
     *
     * @return null on success, else the last node's failure
     */
    private RuntimeException refreshSlots() {
        Set<HostAndPort> candidates = new LinkedHashSet<>();
        for (int i = 0; i < SLOTS; i += 512) {
            HostAndPort n = slots.get(i);
            if (n != null) {
                candidates.add(n);
            }
        }
        candidates.addAll(replicas);
        candidates.addAll(nodes.keySet());
        candidates.addAll(seeds);
        Set<HostAndPort> unreachable = new java.util.HashSet<>();
        HostAndPort[] fallback = null;
        Set<HostAndPort> fallbackReplicas = null;
        RuntimeException last = null;
        for (HostAndPort candidate : candidates) {
            try (Jedis jedis = new Jedis(candidate, config)) {
                Set<HostAndPort> seenReplicas = new LinkedHashSet<>();
                HostAndPort[] map = parseSlots(jedis.clusterSlots(), candidate, seenReplicas);
                boolean stale = false;
                for (HostAndPort owner : map) {
                    if (owner != null && unreachable.contains(owner)) {
                        stale = true;
                        break;
                    }
                }
                if (!stale) {
                    install(map, seenReplicas);
                    return null;
                }
                if (fallback == null) {
                    fallback = map;
                    fallbackReplicas = seenReplicas;
                }
            } catch (RuntimeException e) {
                unreachable.add(candidate);
                last = e;
            }
        }
        if (fallback != null) {
            install(fallback, fallbackReplicas);
            return null;
        }
        return last != null ? last : new IllegalStateException("no cluster node to ask");
    }

    private void install(HostAndPort[] map, Set<HostAndPort> seenReplicas) {
        for (int s = 0; s < SLOTS; s++) {
            slots.set(s, map[s]);
        }
        replicas = Set.copyOf(seenReplicas);
    }

    private static HostAndPort[] parseSlots(List<Object> ranges, HostAndPort asked,
                                            Set<HostAndPort> replicasOut) {
        HostAndPort[] map = new HostAndPort[SLOTS];
        for (Object range : ranges) {
            List<?> r = (List<?>) range;
            int from = ((Long) r.get(0)).intValue();
            int to = ((Long) r.get(1)).intValue();
            HostAndPort owner = node((List<?>) r.get(2), asked);
            for (int s = from; s <= to; s++) {
                map[s] = owner;
            }
            for (int i = 3; i < r.size(); i++) {
                replicasOut.add(node((List<?>) r.get(i), asked));
            }
        }
        return map;
    }

    private static HostAndPort node(List<?> entry, HostAndPort asked) {
        String host = new String((byte[]) entry.get(0), StandardCharsets.UTF_8);
        if (host.isEmpty()) {
            host = asked.getHost(); // a node that does not know its own address
        }
        return new HostAndPort(host, ((Long) entry.get(1)).intValue());
    }

    /**
     * Sends {@code PING} to the standalone node or to every known cluster master.
     *
     * @throws StoreUnavailableException if one does not answer
     */
    void ping() {
        List<HostAndPort> targets = new ArrayList<>();
        if (!cluster) {
            targets.add(standalone);
        } else {
            Set<HostAndPort> masters = new LinkedHashSet<>();
            for (int s = 0; s < SLOTS; s++) {
                HostAndPort n = slots.get(s);
                if (n != null) {
                    masters.add(n);
                }
            }
            targets.addAll(masters);
        }
        for (HostAndPort n : targets) {
            PipelinedCommand c = new PipelinedCommand(new CommandArguments(Protocol.Command.PING),
                    null, null, System.nanoTime() + timeoutNanos, false);
            pipelineOf(n).enqueue(c);
            sweeper.nudge();
            await(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.close();
        Thread r = refresher;
        if (r != null) {
            LockSupport.unpark(r);
        }
        for (NodePipeline[] group : nodes.values()) {
            for (NodePipeline p : group) {
                p.close();
            }
        }
    }
}
