package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OnConflictTest {

    @Test
    void aConflictRunsTheReadModifyWriteAgain() {
        AtomicInteger runs = new AtomicInteger();
        OnConflict.retry(() -> {
            if (runs.incrementAndGet() < 3) {
                throw new KubernetesClientException("the object has been modified", 409, null);
            }
        });
        assertThat(runs).hasValue(3);
    }

    @Test
    void otherErrorsAndEndlessConflictsReachTheCaller() {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> OnConflict.retry(() -> {
            runs.incrementAndGet();
            throw new KubernetesClientException("forbidden", 403, null);
        })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("forbidden");
        assertThat(runs).hasValue(1);
        runs.set(0);
        assertThatThrownBy(() -> OnConflict.retry(() -> {
            runs.incrementAndGet();
            throw new KubernetesClientException("modified", 409, null);
        })).isInstanceOf(KubernetesClientException.class);
        assertThat(runs).hasValue(OnConflict.ATTEMPTS);
    }
}
