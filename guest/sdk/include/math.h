/* math.h: neptune CRT. The basic, exactly-rounded functions only so far
 * (sqrt is the SSE2 instruction; the rest are exact by construction). */
#ifndef NEPTUNE_MATH_H
#define NEPTUNE_MATH_H
#define HUGE_VAL (__builtin_huge_val())
#define INFINITY (__builtin_inff())
#define NAN (__builtin_nanf(""))
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x) __builtin_signbit(x)
double sqrt(double x);
float sqrtf(float x);
double fabs(double x);
double floor(double x);
double ceil(double x);
double trunc(double x);
double round(double x);
double fmod(double x, double y);
double ldexp(double x, int e);
double frexp(double x, int *e);
#endif
