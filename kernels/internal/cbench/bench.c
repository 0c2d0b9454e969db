/*
 * The C baseline for package kernels' speed figures: pgvector's plain
 * float loops for squared L2 and inner product, compiled as fast as a C
 * compiler makes them, timed on the vector sizes kernels benchmarks. See
 * README.md for how to build and run it. It is not part of any Go build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) static float l2_squared(const float *a, const float *b, int n)
{
	float s = 0;

	for (int i = 0; i < n; i++) {
		float d = a[i] - b[i];

		s += d * d;
	}
	return s;
}

__attribute__((noinline)) static float dot(const float *a, const float *b, int n)
{
	float s = 0;

	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef float (*kernel)(const float *, const float *, int);

/* best_ns returns the fastest of several timed runs, in ns per call. */
static double best_ns(kernel f, const float *a, const float *b, int n, int runs)
{
	volatile float sink = 0;
	long calls = 50000000L / n;
	double best = 1e30;

	for (int r = 0; r < runs; r++) {
		double t0 = now(), t;
		float s = 0;

		for (long i = 0; i < calls; i++)
			s += f(a, b, n);
		t = (now() - t0) / calls * 1e9;
		sink += s;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const int dims[] = {96, 128, 384, 768, 1536, 3072};
	int runs = argc > 1 ? atoi(argv[1]) : 10;
	float *a = aligned_alloc(64, 3072 * sizeof(float));
	float *b = aligned_alloc(64, 3072 * sizeof(float));

	srand(1);
	for (int i = 0; i < 3072; i++) {
		a[i] = 2.0f * rand() / RAND_MAX - 1;
		b[i] = 2.0f * rand() / RAND_MAX - 1;
	}
	for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
		int n = dims[k];

		printf("d=%d\tl2_squared %.2f ns/op\tdot %.2f ns/op\n", n,
		       best_ns(l2_squared, a, b, n, runs), best_ns(dot, a, b, n, runs));
	}
	return 0;
}
