/**
 * Runnable examples, one small class per situation a user meets; each is run and checked by this
 * module's tests, so none can rot. The README's "Examples" table says which answers what.
 */
package dev.ratelimiter.examples;
