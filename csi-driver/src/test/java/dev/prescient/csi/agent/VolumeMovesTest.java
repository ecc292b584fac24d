package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VolumeMovesTest {
    @AfterEach
    void clearFlag() {
        Thread.interrupted();
    }

    @Test
    void aCleanUpCallIsRetriedWhenTheCancelsInterruptClosesItsChannel() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Thread.currentThread().interrupt(); // the cancel arrived before the clean-up
        String r = AgentCalls.despiteInterrupts(() -> {
            assertThat(Thread.currentThread().isInterrupted()).as("flag cleared for the call").isFalse();
            if (calls.incrementAndGet() == 1) {
                Thread.currentThread().interrupt(); // ... and once more during it
                throw new ClosedByInterruptException();
            }
            return "detached";
        });
        assertThat(r).isEqualTo("detached");
        assertThat(calls).hasValue(2);
        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    }

    @Test
    void aCleanUpCallThatFailsForAnotherReasonFailsAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> AgentCalls.despiteInterrupts(() -> {
            calls.incrementAndGet();
            throw Status.UNAVAILABLE.asRuntimeException();
        })).isInstanceOf(io.grpc.StatusRuntimeException.class);
        assertThat(calls).hasValue(1);
        assertThatThrownBy(() -> AgentCalls.despiteInterrupts(() -> {
            throw new IOException("engine gone");
        })).hasMessage("engine gone");
    }
}
