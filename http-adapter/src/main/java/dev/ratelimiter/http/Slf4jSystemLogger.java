package dev.ratelimiter.http;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import org.slf4j.Logger;

/**
 * A {@link System.Logger} that writes to an SLF4J logger of the same name: how the standalone
 * server's {@link ServerLoggerFinder} sends the JDK's own platform logging where the server's
 * logging goes. Levels map one to one ({@code ALL} and {@code TRACE} to trace, {@code WARNING}
 * to warn); a {@code {0}}-style format with parameters is formatted with
 * {@link MessageFormat}, only when the level is enabled. Thread-safe, as the SLF4J logger is.
 */
final class Slf4jSystemLogger implements System.Logger {

    private final Logger log;

    Slf4jSystemLogger(Logger log) {
        this.log = log;
    }

    @Override
    public String getName() {
        return log.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return switch (level) {
            case ALL, TRACE -> log.isTraceEnabled();
            case DEBUG -> log.isDebugEnabled();
            case INFO -> log.isInfoEnabled();
            case WARNING -> log.isWarnEnabled();
            case ERROR -> log.isErrorEnabled();
            case OFF -> false;
        };
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(level)) {
            write(level, localized(bundle, msg), thrown);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            String text = localized(bundle, format);
            if (params != null && params.length > 0 && text != null) {
                try {
                    text = MessageFormat.format(text, params);
                } catch (IllegalArgumentException e) {
                    // not a MessageFormat pattern: logged as it is
                }
            }
            write(level, text, null);
        }
    }

    private static String localized(ResourceBundle bundle, String key) {
        if (bundle == null || key == null) {
            return key;
        }
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
    }

    private void write(Level level, String text, Throwable thrown) {
        switch (level) {
            case ALL, TRACE -> log.trace(text, thrown);
            case DEBUG -> log.debug(text, thrown);
            case INFO -> log.info(text, thrown);
            case WARNING -> log.warn(text, thrown);
            case ERROR -> log.error(text, thrown);
            case OFF -> {
            }
        }
    }
}
