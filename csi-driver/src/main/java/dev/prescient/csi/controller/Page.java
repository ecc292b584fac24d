package dev.prescient.csi.controller;

import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.List;
import java.util.function.Function;

/** One page of a list sorted by id; the token is the id to resume after (ListVolumes, ListSnapshots). */
record Page<T>(List<T> items, String nextToken) {
    static <T> Page<T> of(List<T> sorted, Function<T, String> id, String token, int max) {
        if (max < 0) {
            throw CsiException.invalid("max_entries must not be negative");
        }
        int start = 0;
        if (!token.isEmpty()) {
            // The token is the last id of the previous page; resuming after it also works when
            // that entry was deleted meanwhile. Anything not shaped like one of our ids is invalid.
            if (!token.startsWith("pv-") && !token.startsWith("snap-")) {
                throw new CsiException(Status.Code.ABORTED, "InvalidToken", "starting_token " + token + " is invalid");
            }
            while (start < sorted.size() && id.apply(sorted.get(start)).compareTo(token) <= 0) {
                start++;
            }
        }
        int end = max == 0 ? sorted.size() : Math.min(sorted.size(), start + max);
        List<T> items = sorted.subList(start, end);
        String next = end < sorted.size() && !items.isEmpty() ? id.apply(items.get(items.size() - 1)) : "";
        return new Page<>(List.copyOf(items), next);
    }
}
