// Runs Neo4j Community embedded with a Bolt connector on 127.0.0.1, authentication on.
// Started by `referralnet db start` in Java's source-file mode: java -cp "jars/*" Launcher.java
// Arguments: DATA_DIR PORT PASSWORD_FILE READY_FILE [PAGECACHE_MB] [TX_TIMEOUT_SECONDS]
// READY_FILE is written once the password is set and Bolt accepts it; removed on shutdown.
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);  // Neo4j's own threads would otherwise keep a broken process alive
        }
    }

    static void run(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: Launcher DATA_DIR PORT PASSWORD_FILE READY_FILE [PAGECACHE_MB] [TX_TIMEOUT_SECONDS]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = Files.readString(Path.of(args[2])).strip();
        Path ready = Path.of(args[3]);
        Files.deleteIfExists(ready);
        long pageCacheMb = args.length > 4 ? Long.parseLong(args[4]) : 256;
        long txTimeout = args.length > 5 ? Long.parseLong(args[5]) : 30;

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeout))
                .build();
        // The embedded API runs with full rights, so it can set the password of the
        // built-in user on every start (the file is the source of truth).
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $pw CHANGE NOT REQUIRED",
                    Map.of("pw", password));
        } catch (QueryExecutionException e) {
            // Set on an earlier start: Neo4j refuses to "change" it to the same value.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                dbms.shutdown();
                throw e;
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (java.io.IOException e) {
                // nothing to do: the Python side also checks the process
            }
            dbms.shutdown();
            System.out.println("neo4j stopped");
            done.countDown();
        }));
        Files.writeString(ready, String.valueOf(ProcessHandle.current().pid()));
        System.out.println("neo4j ready bolt://127.0.0.1:" + port);
        System.out.flush();
        done.await();
    }
}
