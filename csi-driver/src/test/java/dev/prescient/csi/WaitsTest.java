package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WaitsTest {
    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() {
        AtomicInteger polls = new AtomicInteger();
        Thread.currentThread().interrupt();
        // A wait that swallowed the interrupt would poll on and answer false at its deadline instead.
        assertThatThrownBy(() -> Waits.until(60_000, 50, () -> {
            polls.incrementAndGet();
            return false;
        })).isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.currentThread().isInterrupted()).as("the flag is kept for the caller").isTrue();
        assertThat(polls).as("one look, then the interrupted sleep").hasValue(1);
    }

    @Test
    void answersWhenTheConditionHoldsOrTheDeadlinePassed() throws IOException {
        AtomicInteger polls = new AtomicInteger();
        assertThat(Waits.until(60_000, 1, () -> polls.incrementAndGet() == 3)).isTrue();
        assertThat(polls).hasValue(3);
        assertThat(Waits.until(0, 1, () -> false)).isFalse();
    }

    @Test
    void aConditionThatThrowsEndsTheWait() {
        assertThatThrownBy(() -> Waits.until(60_000, 1, () -> {
            throw new IOException("helper exited");
        })).hasMessage("helper exited");
    }
}
