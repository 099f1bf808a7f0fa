package dev.ratelimiter.spring;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * Applies {@link RateLimited}: a pointcut on annotated methods (or classes) and an interceptor
 * that checks the limiter before the call. The key expression is parsed once per method and
 * target class, and cached. An infrastructure advisor, so it applies whether or not AspectJ is on the class path.
 * Thread-safe.
 */
final class RateLimitedAdvisor extends AbstractPointcutAdvisor {

    private static final long serialVersionUID = 1L;

    private final transient Pointcut pointcut = new ComposablePointcut(
            AnnotationMatchingPointcut.forMethodAnnotation(RateLimited.class))
            .union(new AnnotationMatchingPointcut(RateLimited.class, true));
    private final transient Interceptor interceptor;

    RateLimitedAdvisor(ObjectProvider<RateLimiter> limiter, BeanFactory beanFactory) {
        this.interceptor = new Interceptor(limiter, beanFactory);
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }

    /** The check around each call. */
    static final class Interceptor implements MethodInterceptor {

        private static final SpelExpressionParser PARSER = new SpelExpressionParser();
        private static final ParameterNameDiscoverer NAMES = new DefaultParameterNameDiscoverer();

        private final ObjectProvider<RateLimiter> limiter;
        private final BeanFactoryResolver beans;
        private final ConcurrentHashMap<MethodClassKey, Target> targets = new ConcurrentHashMap<>();

        Interceptor(ObjectProvider<RateLimiter> limiter, BeanFactory beanFactory) {
            this.limiter = limiter;
            this.beans = new BeanFactoryResolver(beanFactory);
        }

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            Method method = invocation.getMethod();
            Object target = invocation.getThis();
            Class<?> targetClass = target == null ? method.getDeclaringClass()
                    : AopUtils.getTargetClass(target);
            Target t = targets.computeIfAbsent(new MethodClassKey(method, targetClass),
                    k -> Target.of(method, targetClass));
            if (t == Target.NONE) {
                return invocation.proceed();
            }
            String key = t.key(method, invocation.getArguments(), beans);
            Decision d = limiter.getObject().tryAcquire(key, t.tokens);
            if (!d.allowed()) {
                throw new RateLimitExceededException(d);
            }
            return invocation.proceed();
        }
    }

    /** One method's key (fixed or an expression) and tokens. */
    static final class Target {
        static final Target NONE = new Target(null, null, 0, "");
        private static final java.util.regex.Pattern NAMED_ARGUMENT =
                java.util.regex.Pattern.compile("#(?!(?:p|a)\\d|root\\b|this\\b)[A-Za-z_]");

        final String fixed;
        final Expression expression;
        final long tokens;
        final String source;

        private Target(String fixed, Expression expression, long tokens, String source) {
            this.fixed = fixed;
            this.expression = expression;
            this.tokens = tokens;
            this.source = source;
        }

        static Target of(Method method, Class<?> targetClass) {
            Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
            RateLimited a = AnnotatedElementUtils.findMergedAnnotation(specific, RateLimited.class);
            if (a == null) {
                a = AnnotatedElementUtils.findMergedAnnotation(targetClass, RateLimited.class);
            }
            if (a == null) {
                return NONE;
            }
            String where = targetClass.getName() + "." + method.getName();
            if (a.tokens() < 1) {
                throw new IllegalArgumentException("@RateLimited(tokens) on " + where
                        + " must be >= 1, was " + a.tokens());
            }
            String key = a.key();
            if (key.isEmpty()) {
                return new Target(targetClass.getSimpleName() + "." + method.getName(), null,
                        a.tokens(), key);
            }
            if (key.indexOf('#') < 0 && key.indexOf('\'') < 0 && key.indexOf('@') < 0) {
                return new Target(key, null, a.tokens(), key);
            }
            if (method.getParameterCount() > 0 && NAMED_ARGUMENT.matcher(key).find()
                    && Interceptor.NAMES.getParameterNames(method) == null) {
                // Without the names, #user would quietly be null: every call one bucket.
                throw new IllegalStateException("@RateLimited(key) on " + where + " uses argument"
                        + " names but the class was compiled without -parameters; compile with"
                        + " -parameters or write #p0, #p1...");
            }
            try {
                return new Target(null, Interceptor.PARSER.parseExpression(key), a.tokens(), key);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("@RateLimited(key) on " + where
                        + " is not a valid SpEL expression: " + key + " (" + e.getMessage() + ")",
                        e);
            }
        }

        String key(Method method, Object[] args, BeanFactoryResolver beans) {
            if (fixed != null) {
                return fixed;
            }
            MethodBasedEvaluationContext context =
                    new MethodBasedEvaluationContext(null, method, args, Interceptor.NAMES);
            context.setBeanResolver(beans);
            Object value = expression.getValue(context);
            if (value == null) {
                throw new IllegalArgumentException("@RateLimited(key = \"" + source + "\") on "
                        + method.getDeclaringClass().getName() + "." + method.getName()
                        + " evaluated to null");
            }
            return value.toString();
        }
    }
}
