package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Keys that break the key contract while held (a {@code hashCode()} that throws, or that changes)
 * must not let a second holder into a held key, their own or another one. Inflating a fast hold
 * runs the holder key's {@code hashCode()} on the contending thread.
 *
 * <p>Shown to fail (found by review): when a throwing {@code hashCode()} left the slot to the error
 * path, which cleared it unconditionally, the held key was taken a second time; when inflation
 * counted a mutated key's entry under its new hash, releasing it freed another key's slot and that
 * key was taken a second time.
 */
class FastPathHostileKeyTest {
  /** Same slot as {@link Plain} with hash 42 while not armed; throws when armed. */
  static final class Throwing {
    volatile boolean armed;

    @Override
    public int hashCode() {
      if (armed) {
        throw new IllegalStateException("hashCode() fails");
      }
      return 42;
    }
  }

  static final class Mutable {
    volatile int hash = 42;

    @Override
    public int hashCode() {
      return hash;
    }
  }

  record Plain(String name, int hash) {
    @Override
    public int hashCode() {
      return hash;
    }
  }

  @Test
  void aThrowingHashCodeNeverFreesTheHeldKey() {
    KeyedLock<Object> lock = KeyedLock.create();
    Throwing k1 = new Throwing();
    LockHandle h1 = lock.tryAcquire(k1).orElseThrow(); // a fast hold in the slot of 42
    k1.armed = true;
    Optional<LockHandle> other = lock.tryAcquire(new Plain("other", 42)); // inflates the slot
    k1.armed = false;
    other.ifPresent(LockHandle::close);
    assertTrue(h1.isHeld());
    assertTrue(lock.isLocked(k1), "the held key must still be locked");
    assertTrue(lock.tryAcquire(k1).isEmpty(), "a second holder of a held key");
    h1.close();
    lock.tryAcquire(k1).orElseThrow().close(); // free again after its release
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void aMutatedKeyNeverFreesAnotherKeysSlot() {
    KeyedLock<Object> lock = KeyedLock.create();
    Mutable k1 = new Mutable();
    LockHandle h1 = lock.tryAcquire(k1).orElseThrow(); // fast, slot of 42
    k1.hash = 43; // mutated while held, against the key contract
    LockHandle h2 = lock.tryAcquire(new Plain("same slot", 42)).orElseThrow(); // inflates slot 42
    Plain k3 = new Plain("innocent", 43);
    LockHandle h3 = lock.tryAcquire(k3).orElseThrow(); // fast, slot of 43
    h1.close();
    assertTrue(h3.isHeld());
    assertTrue(lock.isLocked(k3), "an innocent key's hold must survive another key's release");
    assertTrue(lock.tryAcquire(k3).isEmpty(), "a second holder of an innocent key");
    h2.close();
    h3.close();
    assertEquals(0, lock.activeKeys());
  }
}
