package dev.lockstep.fsm;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes a {@code synchronous=FULL} store's commits durable off the writer thread: the writer's
 * connection runs with {@code synchronous=NORMAL} (its COMMIT writes the WAL frames without syncing
 * them), hands each committed batch's answers here, and goes on with the next batch while this
 * thread {@code fdatasync}s the {@code -wal} file and only then answers the batch's callers. One
 * sync covers every batch whose COMMIT returned before it began, so batches that committed during a
 * sync share the next one.
 *
 * <h2>Why acknowledged transitions still survive power loss</h2>
 *
 * In WAL mode {@code FULL} differs from {@code NORMAL} only by one sync of the WAL at the end of
 * each commit: in {@code wal.c}, {@code walFrames} syncs (and, without powersafe overwrite, pads to
 * a sector) only when {@code WAL_SYNC_FLAGS(sync_flags)} is non-zero, which {@code
 * sqlite3PagerSetFlags} arranges only for {@code FULL}. {@code NORMAL} keeps the other syncs
 * ({@code CKPT_SYNC_FLAGS}): a checkpoint syncs the WAL before it copies frames into the database
 * and the database after, and a WAL started over after a complete checkpoint has its new header
 * (new salts) synced before any frame is written behind it. Recovery reads frames from the start
 * while their salts match the header and their cumulative checksums hold, and keeps transactions
 * only up to the last commit frame it reached; so after a power loss the database holds every
 * commit that was on disk in full, in WAL order. {@code fdatasync} on any descriptor of the file
 * writes all of the file's dirty pages (and its size), whichever descriptor wrote them. A caller is
 * answered after an {@code fdatasync} that began after its COMMIT returned: that makes its commit
 * durable together with every commit before it in the WAL, among them every commit whose effects
 * its transaction read (a commit a transaction can read is already in the WAL file, or was
 * checkpointed, which synced it). The writer's own automatic checkpoints (in its COMMIT, at 1,000
 * pages) keep {@code NORMAL}'s syncs. Padding: SQLite pads only on devices without {@code
 * SQLITE_IOCAP_POWERSAFE_OVERWRITE}, which the unix VFS reports by default; a file opened with
 * {@code psow=0} would lose that protection here.
 *
 * <h2>What differs from SQLite's own FULL</h2>
 *
 * SQLite publishes a FULL commit to readers (the wal-index header) only after its sync; here other
 * connections can read a commit before this thread has synced it. This store's own reads wait for
 * the sync of every commit begun before they ended ({@link #awaitDurable}; the engine's pre-read of
 * a fire need not, since the fire is answered only after its own row's sync, which covers what it
 * read). A read by another store or process on the same file can see a transition whose sync is
 * still pending (as it can see a {@code NORMAL} writer's); effects are the exception that matters,
 * so the store syncs the WAL itself ({@link #syncFromCaller}) before it hands due outbox rows to a
 * dispatcher, in whatever process wrote them.
 *
 * <p>The WAL file is opened once, after the writer's connection opened it, and checked to be the
 * same file (device and inode) before and after. SQLite deletes the WAL only when the last
 * connection to the database closes (a WAL-mode connection keeps its shared lock on the database
 * file while open), and the writer's connection stays open until this thread has answered
 * everything ({@link #close}); truncation ({@code journal_size_limit}, {@code TRUNCATE}
 * checkpoints) keeps the inode.
 *
 * <p>A failed sync leaves the durability of the batches it covered unknown (and Linux may mark the
 * unwritten pages clean): their callers get an {@link FsmStoreException}, and the store refuses
 * every further read and write ({@link #failure}); reopen it to recover from the WAL. If this
 * thread ends for any other reason, the same happens, so that no caller waits forever.
 *
 * <p>Implementation notes. Commit sequence numbers: the writer takes one before each COMMIT ({@link
 * #beginCommit}) and always hands it back after ({@link #committed}), in order. Like the writer's
 * fill wait, a sync waits up to {@code gatherNanos} for as many committed operations as the largest
 * sync of the last {@value #PEAK_WINDOW} covered, so that callers that have just been answered and
 * fire again share the next sync instead of splitting into groups. The thread ignores interrupts
 * (an interrupt would close the channel under {@code force}).
 */
final class SqliteWalSyncer implements Runnable {

  /** Runs on this thread just before each sync (tests: block, fail). */
  interface Hook {
    void beforeSync() throws IOException;
  }

  /** Tests only: called before each sync; null for none. */
  static volatile Hook beforeSyncHook;

  /** Off, a FULL store pays the WAL sync inside COMMIT as before (for probes comparing). */
  static volatile boolean enabled = true;

  /** How long a sync waits for more committed operations (see the class notes); 200 µs. */
  static volatile long gatherWaitNanos = 200_000;

  /** Syncs after which the largest recent sync is forgotten. */
  private static final int PEAK_WINDOW = 64;

  private record Done(long seq, int ops, Runnable answer) {}

  private final Path wal;
  private final FileChannel channel;
  private final long gatherNanos = gatherWaitNanos;
  private final AtomicLong started = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition committedMore = lock.newCondition();
  private final Condition durableMore = lock.newCondition();
  private final List<Done> pending = new ArrayList<>(); // guarded by lock
  private int pendingOps; // guarded by lock
  private boolean stopping; // guarded by lock
  private boolean stopped; // guarded by lock: the thread answers nothing more
  private volatile long durable;
  private volatile FsmStoreException failure;
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong syncedOps = new AtomicLong();
  private int recentPeak;
  private int sincePeak;
  private final Thread thread;

  /**
   * Opens {@code <db>-wal} (which the writer's open connection has created) and starts the thread.
   */
  SqliteWalSyncer(Path db) throws IOException {
    this.wal = db.resolveSibling(db.getFileName() + "-wal");
    Object before = Files.readAttributes(wal, BasicFileAttributes.class).fileKey();
    this.channel = FileChannel.open(wal, StandardOpenOption.READ);
    Object after = Files.readAttributes(wal, BasicFileAttributes.class).fileKey();
    if (before == null || !Objects.equals(before, after)) {
      channel.close();
      throw new IOException(wal + " was replaced while it was being opened");
    }
    this.thread = new Thread(this, "lockstep-fsm-sqlite-syncer");
    thread.setDaemon(true);
    thread.start();
  }

  /** The writer is about to COMMIT: returns the commit's sequence number. */
  long beginCommit() {
    return started.incrementAndGet();
  }

  /**
   * The writer's COMMIT number {@code seq} returned (or failed): {@code answer} runs on this thread
   * once a sync that began after now returned (at once, here, if this thread has stopped: the
   * answer then sees {@link #failure}).
   */
  void committed(long seq, int ops, Runnable answer) {
    lock.lock();
    try {
      if (!stopped) {
        pending.add(new Done(seq, ops, answer));
        pendingOps += ops;
        committedMore.signal();
        return;
      }
      if (failure == null) {
        failure = new FsmStoreException(wal + ": the WAL syncer has stopped; durability unknown");
      }
    } finally {
      lock.unlock();
    }
    answer.run();
  }

  /** The failure that broke the store, or null. */
  FsmStoreException failure() {
    return failure;
  }

  /** Returns {@code {syncs, operations answered after them}} so far (for probes). */
  long[] syncCounts() {
    return new long[] {syncs.get(), syncedOps.get()};
  }

  /**
   * Waits until every commit begun so far is durable: call after a read, so that what it saw
   * (committed, possibly not yet synced) is durable before it is shown to anyone. Not interruptible
   * (the wait is as long as one sync); keeps the interrupt status.
   *
   * @throws FsmStoreException when a sync failed, or the thread stopped first
   */
  void awaitDurable() {
    long target = started.get();
    if (durable >= target) {
      return;
    }
    lock.lock();
    try {
      while (durable < target && failure == null && !stopped) {
        durableMore.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    FsmStoreException f = failure;
    if (f != null) {
      throw new FsmStoreException(f.getMessage(), f);
    }
    if (durable < target) {
      throw new FsmStoreException(wal + " was closed before a commit it shows was synced");
    }
  }

  /**
   * Syncs the WAL on the calling thread, through a descriptor of its own (so that an interrupt of
   * the caller closes only that one): after a read of rows that any process may have committed and
   * not yet synced. A failure breaks the store as a failed sync of this thread does; an interrupt
   * does not, but is reported.
   */
  void syncFromCaller() {
    FsmStoreException f = failure;
    if (f != null) {
      throw new FsmStoreException(f.getMessage(), f);
    }
    try (FileChannel c = FileChannel.open(wal, StandardOpenOption.READ)) {
      c.force(false);
    } catch (ClosedByInterruptException e) {
      throw new FsmStoreException(wal + ": interrupted while syncing the WAL", e);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  @Override
  public void run() {
    List<Done> batch = new ArrayList<>();
    Throwable died = null;
    try {
      while (take(batch)) {
        sync(batch);
        batch.clear();
      }
    } catch (RuntimeException | Error e) {
      died = e;
      throw e;
    } finally {
      List<Done> left = new ArrayList<>(batch);
      lock.lock();
      try {
        stopped = true;
        if (died != null && failure == null) {
          failure = new FsmStoreException(wal + ": the WAL syncer failed: " + died, died);
        }
        left.addAll(pending);
        pending.clear();
        durableMore.signalAll();
      } finally {
        lock.unlock();
      }
      for (Done d : left) {
        answer(d); // with the failure: only after an error above (close drains everything)
      }
      try {
        channel.close();
      } catch (IOException e) {
        // nothing was left to sync: every batch was answered
      }
    }
  }

  /** Waits for committed batches (and gathers, see the class notes); false when stopping. */
  private boolean take(List<Done> batch) {
    lock.lock();
    try {
      while (pending.isEmpty() && !stopping) {
        committedMore.awaitUninterruptibly();
      }
      if (pending.isEmpty()) {
        return false;
      }
      int want = recentPeak;
      long deadline = System.nanoTime() + gatherNanos;
      while (pendingOps < want && !stopping) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          committedMore.awaitNanos(left);
        } catch (InterruptedException e) {
          // ignored: see the class notes
        }
      }
      int ops = pendingOps;
      batch.addAll(pending);
      pending.clear();
      pendingOps = 0;
      if (ops >= recentPeak || ++sincePeak >= PEAK_WINDOW) {
        recentPeak = ops;
        sincePeak = 0;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** One fdatasync of the WAL for {@code batch} (committed before it began), then the answers. */
  private void sync(List<Done> batch) {
    if (failure == null) {
      Thread.interrupted(); // an interrupt would close the channel inside force()
      try {
        Hook hook = beforeSyncHook;
        if (hook != null) {
          hook.beforeSync();
        }
        channel.force(false);
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }
    long last = batch.get(batch.size() - 1).seq();
    lock.lock();
    try {
      if (failure == null) {
        durable = last;
      }
      durableMore.signalAll();
    } finally {
      lock.unlock();
    }
    int ops = 0;
    for (Done d : batch) {
      ops += d.ops();
      answer(d);
    }
    syncs.incrementAndGet();
    syncedOps.addAndGet(ops);
  }

  private FsmStoreException fail(Exception e) {
    FsmStoreException f =
        new FsmStoreException(
            wal
                + ": syncing the WAL failed, so transitions committed since the last successful"
                + " sync may not be durable; the store refuses further work, reopen it: "
                + e,
            e);
    lock.lock();
    try {
      if (failure == null) {
        failure = f;
      }
      durableMore.signalAll();
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /** Runs one answer; it answers with {@link #failure} when there is one (see SqliteWriter). */
  private static void answer(Done d) {
    try {
      d.answer().run();
    } catch (RuntimeException e) {
      // the answer completes futures only; nothing to add
    }
  }

  /**
   * Syncs and answers every batch handed over so far, then stops the thread and closes the file.
   * Called by the writer thread after its last batch, before it closes its connection.
   */
  void close() {
    lock.lock();
    try {
      stopping = true;
      committedMore.signal();
    } finally {
      lock.unlock();
    }
    Threads.joinUninterruptibly(thread);
  }
}
