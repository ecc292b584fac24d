package dev.prescient.csi.server;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** gRPC over a UNIX domain socket with Netty epoll: how kubelet and the CSI sidecars talk to us. */
public final class UnixSocketServers {
    private UnixSocketServers() {
    }

    /** Accepts {@code unix:///abs/path}, {@code unix:/abs/path} or a plain absolute path. */
    public static Path socketPath(String endpoint) {
        if (endpoint.startsWith("unix:")) {
            String rest = endpoint.substring("unix:".length());
            while (rest.startsWith("//")) {
                rest = rest.substring(1);
            }
            return Path.of(URI.create("file:" + rest).getPath());
        }
        if (endpoint.startsWith("/")) {
            return Path.of(endpoint);
        }
        throw new IllegalArgumentException("endpoint must be unix:///absolute/path, got " + endpoint);
    }

    public static Server start(Path socket, List<BindableService> services) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        // A socket left by a killed process would make bind fail; it is ours to replace.
        Files.deleteIfExists(socket);
        EventLoopGroup group = new EpollEventLoopGroup(2);
        NettyServerBuilder b = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group);
        LoggingInterceptor logging = new LoggingInterceptor();
        for (BindableService s : services) {
            b.addService(ServerInterceptors.intercept(s, logging));
        }
        Server server = b.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> group.shutdownGracefully()));
        return server;
    }

    public static ManagedChannel channel(Path socket) {
        EventLoopGroup group = new EpollEventLoopGroup(1);
        ManagedChannel ch = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .overrideAuthority("localhost")
                .usePlaintext()
                .build();
        return new ClosingChannel(ch, group);
    }
}
