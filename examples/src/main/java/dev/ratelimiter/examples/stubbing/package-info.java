/**
 * Example 4: a small service that uses the limiter; its tests show how to stub the limiter with
 * the in-memory store on a stepped clock, and with Mockito.
 */
package dev.ratelimiter.examples.stubbing;
