package dev.colloquy.bench;

import dev.colloquy.FakeUpstream;

/** Runs the tests' OpenAI-speaking upstream on a loopback port until killed: the benchmarks' upstream. */
public final class TestUpstream {

    public static void main(String[] args) throws Exception {
        // without it the JDK server's small SSE writes wait on Nagle's algorithm (about 40 ms each)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        var upstream = FakeUpstream.start(Integer.parseInt(args[0]));
        System.out.println("test upstream on " + upstream.baseUrl());
        Thread.currentThread().join();
    }
}
