package dev.prescient.csi;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/** Collects what a service method answers when called directly (no transport). */
public final class Recorder<T> implements StreamObserver<T> {
    public final List<T> values = new ArrayList<>();
    public Throwable error;
    public boolean completed;

    @Override
    public void onNext(T value) {
        values.add(value);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onCompleted() {
        completed = true;
    }
}
