package rw.intake.server.internal.upload;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import rw.intake.storage.Redacted;

/**
 * The redis store's connection, to one Redis ({@link RedisClient}) or to a Redis Cluster ({@link RedisClusterClient},
 * {@code STAGING_REDIS_CLUSTER=true}): the one class that knows which. Both give {@link RedisClusterCommands}, the
 * commands that Lettuce's standalone and cluster APIs share, and the store uses nothing else.
 *
 * <p>On a cluster, Lettuce sends each command to the master of its key's slot, follows {@code MOVED} and {@code ASK}
 * redirects, and refreshes its view of the cluster after them and every minute. Reads go to masters only
 * ({@link ReadFrom#UPSTREAM}): a replica may lag behind an edit. A command naming several keys (MGET, DEL, a script)
 * must name keys of one hash tag, which the store's layout gives: {@code {prefix:id}} for an upload, {@code {prefix}}
 * for the budget.
 *
 * <p>Opening checks that no server holding staged records writes them to its disk: the one Redis, or every node of
 * the cluster, masters and replicas (a node that the cluster marks failed is skipped with a warning).
 * Thread-safe (Lettuce's connections are); close it once.
 */
final class RedisConnector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnector.class);

    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterCommands<byte[], byte[]> commands;
    private final RedisClusterAsyncCommands<byte[], byte[]> async;

    private RedisConnector(
            AbstractRedisClient client,
            StatefulConnection<byte[], byte[]> connection,
            RedisClusterCommands<byte[], byte[]> commands,
            RedisClusterAsyncCommands<byte[], byte[]> async) {
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.async = async;
    }

    /**
     * Connects as {@code config} says and checks that Redis keeps nothing on disk.
     *
     * @throws IllegalStateException when Redis cannot be reached; when it is a cluster node and {@code config.cluster()}
     *                               is false; or when it persists (RDB {@code save} rules or {@code appendonly yes},
     *                               on any node of a cluster) and {@code config.allowPersistence()} is false
     */
    static RedisConnector open(UploadModule.Redis config) {
        RedisConnector c = config.cluster() ? cluster(config.url()) : standalone(config.url());
        try {
            c.check(config);
        } catch (RuntimeException ex) {
            c.close();
            throw ex;
        }
        return c;
    }

    /**
     * How long a command waits for Redis's answer before it fails (and the request with 503 {@code staging.unavailable}):
     * Lettuce's default is a minute. Commands are small (a chunk of records, at most
     * {@value RedisStaging#CHUNKS_IN_FLIGHT} of them unanswered), so a Redis that takes this long is frozen or cut off.
     * While the connection to a single Redis is down (Redis stopped or restarting) a command fails at once instead of
     * waiting for it to come back; a cluster's commands wait for their node's connection, at most this long.
     */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static RedisConnector standalone(String url) {
        RedisClient client;
        RedisURI uri;
        try {
            uri = answeringWithin(RedisURI.create(url), url);
            client = RedisClient.create(uri);
        } catch (IllegalArgumentException ex) {
            throw notAUrl(url, ex);
        }
        client.setOptions(failFast(ClientOptions.builder(), true).build());
        try {
            StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            return new RedisConnector(client, connection, connection.sync(), connection.async());
        } catch (RedisException ex) {
            client.shutdown();
            throw new IllegalStateException(
                    "STAGING=redis: cannot reach Redis at " + Redacted.url(url) + ": "
                            + Redacted.message(ex.getMessage(), url) + why(ex, uri.getTimeout()),
                    ex);
        }
    }

    /**
     * {@code uri} waiting {@link #COMMAND_TIMEOUT} for the answers that open a connection (Lettuce's default is a
     * minute, which a Redis that takes connections and never answers would make the start wait), unless the URL sets
     * its own {@code timeout}.
     */
    private static RedisURI answeringWithin(RedisURI uri, String url) {
        String query = URI.create(url).getRawQuery();
        if (query == null || !("&" + query).contains("&" + RedisURI.PARAMETER_NAME_TIMEOUT + "=")) {
            uri.setTimeout(COMMAND_TIMEOUT);
        }
        return uri;
    }

    /**
     * What Redis itself answered, when the connection failed on an answer (a wrong password, a database number past
     * its count) rather than on the network: {@code "; WRONGPASS ..."}; that it did not answer in time; else
     * {@code ""}.
     */
    private static String why(Throwable ex, Duration timeout) {
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof RedisCommandExecutionException answer && answer.getMessage() != null) {
                return "; " + answer.getMessage();
            }
            if (t instanceof RedisCommandTimeoutException) {
                return "; it took the connection and gave no answer within "
                        + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms");
            }
        }
        return "";
    }

    private static IllegalStateException notAUrl(String url, IllegalArgumentException ex) {
        return new IllegalStateException(
                "REDIS_URL is not a Redis URL (redis://[:password@]host:port[/db]): " + Redacted.url(url), ex);
    }

    private static RedisConnector cluster(String url) {
        // seed nodes separated by commas: redis://[:password@]host1[:port1][,host2[:port2]]
        RedisClusterClient client;
        try {
            List<RedisURI> seeds = new ArrayList<>();
            for (RedisURI seed : RedisClusterURIUtil.toRedisURIs(URI.create(url))) {
                seeds.add(answeringWithin(seed, url));
            }
            client = RedisClusterClient.create(seeds);
        } catch (IllegalArgumentException ex) {
            throw notAUrl(url, ex);
        }
        ClusterClientOptions.Builder options = ClusterClientOptions.builder()
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofMinutes(1))
                        .build());
        // a cluster connection opens its connections to the nodes as commands need them: refusing commands while one
        // is not connected would refuse the first command of each node
        failFast(options, false);
        client.setOptions(options.build());
        try {
            StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            connection.setReadFrom(ReadFrom.UPSTREAM);
            return new RedisConnector(client, connection, connection.sync(), connection.async());
        } catch (RedisException ex) {
            client.shutdown();
            throw new IllegalStateException(
                    "STAGING=redis: cannot reach the Redis Cluster at " + Redacted.url(url)
                            + " (STAGING_REDIS_CLUSTER=true): " + Redacted.message(ex.getMessage(), url),
                    ex);
        }
    }

    /**
     * {@link #COMMAND_TIMEOUT} on every command; if {@code reject}, commands refused at once while the connection is
     * down.
     */
    private static <B extends ClientOptions.Builder> B failFast(B options, boolean reject) {
        options.timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT));
        if (reject) {
            options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        }
        return options;
    }

    /** The commands, on the one Redis or routed over the cluster by key. */
    RedisClusterCommands<byte[], byte[]> commands() {
        return commands;
    }

    /** The same commands on the same connection, answered by futures: for writes that need not wait one by one. */
    RedisClusterAsyncCommands<byte[], byte[]> async() {
        return async;
    }

    private void check(UploadModule.Redis config) {
        if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
            List<String> persisting = new ArrayList<>();
            for (RedisClusterNode node : cluster.getPartitions()) {
                String at = address(node);
                if (node.is(NodeFlag.FAIL) || node.is(NodeFlag.NOADDR)) {
                    LOG.warn(
                            "STAGING=redis: Redis Cluster node {} is marked failed; its persistence is not checked",
                            at);
                    continue;
                }
                String what;
                try {
                    RedisClusterCommands<byte[], byte[]> server =
                            cluster.getConnection(node.getNodeId()).sync();
                    warnOfEviction(server, " on Redis Cluster node " + at);
                    what = persistence(server);
                } catch (RedisException ex) {
                    throw new IllegalStateException(
                            "STAGING=redis: cannot check Redis Cluster node " + at + " for persistence: "
                                    + ex.getMessage(),
                            ex);
                }
                if (what != null) {
                    persisting.add(what + " on " + at);
                }
            }
            refuse(persisting.isEmpty() ? null : String.join("; ", persisting), config.allowPersistence());
            return;
        }
        if (clusterNode()) {
            // one connection to one node would see MOVED for every key of the other nodes' slots
            throw new IllegalStateException("STAGING=redis: Redis at " + config.url() + " is a node of a Redis Cluster;"
                    + " set STAGING_REDIS_CLUSTER=true (REDIS_URL may name one or more of its nodes)");
        }
        warnOfEviction(commands, "");
        refuse(persistence(commands), config.allowPersistence());
    }

    /**
     * Warns when the server may evict keys at its {@code maxmemory}: an upload would lose part of its records and
     * could no longer be read whole or committed, where {@code noeviction} refuses the write (503, its upload fails
     * whole). Said once at start, not refused: the policy may be changed at run time, and is no secret kept on disk.
     */
    private static void warnOfEviction(RedisClusterCommands<byte[], byte[]> server, String where) {
        String policy = server.configGet("maxmemory-policy").getOrDefault("maxmemory-policy", "noeviction");
        if (!"noeviction".equalsIgnoreCase(policy)) {
            LOG.warn(
                    "STAGING=redis: Redis may evict keys at its maxmemory (maxmemory-policy {}{}): a staged upload"
                            + " would lose records and could no longer be committed; set maxmemory-policy noeviction",
                    policy,
                    where);
        }
    }

    /** Whether the one Redis is a node of a cluster; false where {@code INFO} is not allowed (it then cannot tell). */
    private boolean clusterNode() {
        try {
            return commands.info("cluster").contains("cluster_enabled:1");
        } catch (RedisCommandExecutionException ex) {
            LOG.debug("STAGING=redis: INFO cluster refused ({}); taken as a single Redis", ex.getMessage());
            return false;
        }
    }

    private static String address(RedisClusterNode node) {
        RedisURI uri = node.getUri();
        return uri == null ? node.getNodeId() : uri.getHost() + ":" + uri.getPort();
    }

    /** What of the server's configuration writes to its disk; null if nothing. */
    private static String persistence(RedisClusterCommands<byte[], byte[]> server) {
        String rules = server.configGet("save").getOrDefault("save", "");
        boolean appendOnly =
                "yes".equalsIgnoreCase(server.configGet("appendonly").getOrDefault("appendonly", "no"));
        if (rules.isBlank() && !appendOnly) {
            return null;
        }
        return (rules.isBlank() ? "" : "RDB snapshots (save \"" + rules + "\")")
                + (!rules.isBlank() && appendOnly ? " and " : "")
                + (appendOnly ? "the append-only file" : "");
    }

    private static void refuse(String what, boolean allowed) {
        if (what == null) {
            return;
        }
        if (allowed) {
            LOG.warn(
                    "STAGING=redis: Redis persists staged records to its disk ({}); accepted because"
                            + " STAGING_REDIS_ALLOW_PERSISTENCE=true",
                    what);
            return;
        }
        throw new IllegalStateException("STAGING=redis: Redis persists to its disk (" + what + "), which would write"
                + " every staged record there; turn persistence off (save \"\" and appendonly no) or set"
                + " STAGING_REDIS_ALLOW_PERSISTENCE=true to accept it");
    }

    /** Closes the connection (and the cluster's connections to each node) and the client's threads. */
    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
