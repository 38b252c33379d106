/* nbody: a gravitational n-body simulation in double precision: BODIES
 * bodies, all pairs each step (softened distance, one sqrt and one division
 * a pair), a symplectic Euler update, STEPS steps; then the total energy.
 * Subtractions, multiplications, fsqrt.d and fdiv.d with a dependent chain
 * through each pair. Reproducible bit for bit: IEEE operations (sqrt and
 * division are correctly rounded) in a fixed order, no fused multiply-add
 * (-ffp-contract=off on both sides), round to nearest even.
 * Self-check: a checksum of the bits of the final positions, velocities and
 * energy must equal EXPECTED, computed on the host by nbody-host.c from
 * this same code. */

#include "bench.h"

#define BODIES 32
#define STEPS 12000
#define DT 0.001
#define SOFTENING 0.01
#define SEED 0xc0ac29b7c97c50ddull

struct body {
    double x, y, z;
    double vx, vy, vz;
    double mass;
};

static struct body bodies[BODIES];

static void step(void)
{
    double ax[BODIES], ay[BODIES], az[BODIES];
    for (int i = 0; i < BODIES; i++)
        ax[i] = ay[i] = az[i] = 0.0;
    for (int i = 0; i < BODIES; i++) {
        struct body *p = &bodies[i];
        double axi = 0.0, ayi = 0.0, azi = 0.0;
        for (int j = i + 1; j < BODIES; j++) {
            struct body *q = &bodies[j];
            double dx = q->x - p->x, dy = q->y - p->y, dz = q->z - p->z;
            double d2 = dx * dx + dy * dy + dz * dz + SOFTENING;
            double inv = 1.0 / (d2 * __builtin_sqrt(d2));
            double fi = q->mass * inv, fj = p->mass * inv;
            axi += dx * fi;
            ayi += dy * fi;
            azi += dz * fi;
            ax[j] -= dx * fj;
            ay[j] -= dy * fj;
            az[j] -= dz * fj;
        }
        ax[i] += axi;
        ay[i] += ayi;
        az[i] += azi;
    }
    for (int i = 0; i < BODIES; i++) {
        struct body *p = &bodies[i];
        p->vx += ax[i] * DT;
        p->vy += ay[i] * DT;
        p->vz += az[i] * DT;
        p->x += p->vx * DT;
        p->y += p->vy * DT;
        p->z += p->vz * DT;
    }
}

static double energy(void)
{
    double e = 0.0;
    for (int i = 0; i < BODIES; i++) {
        struct body *p = &bodies[i];
        e += 0.5 * p->mass * (p->vx * p->vx + p->vy * p->vy + p->vz * p->vz);
        for (int j = i + 1; j < BODIES; j++) {
            struct body *q = &bodies[j];
            double dx = q->x - p->x, dy = q->y - p->y, dz = q->z - p->z;
            e -= p->mass * q->mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz + SOFTENING);
        }
    }
    return e;
}

double nbody_energy[2]; /* before and after, for nbody-host.c */

uint64_t nbody_bench(void)
{
    uint64_t seed = SEED, h = 1;
    for (int i = 0; i < BODIES; i++) {
        struct body *p = &bodies[i];
        p->x = uniform(&seed);
        p->y = uniform(&seed);
        p->z = uniform(&seed);
        p->vx = 0.1 * uniform(&seed);
        p->vy = 0.1 * uniform(&seed);
        p->vz = 0.1 * uniform(&seed);
        p->mass = 1.0 + 0.5 * uniform(&seed);
    }
    nbody_energy[0] = energy();
    for (int s = 0; s < STEPS; s++)
        step();
    nbody_energy[1] = energy();
    for (int i = 0; i < BODIES; i++) {
        struct body *p = &bodies[i];
        h = mix64(h, bits_of(p->x));
        h = mix64(h, bits_of(p->y));
        h = mix64(h, bits_of(p->z));
        h = mix64(h, bits_of(p->vx));
        h = mix64(h, bits_of(p->vy));
        h = mix64(h, bits_of(p->vz));
    }
    return mix64(h, bits_of(nbody_energy[1]));
}

/* The result, computed on the host by nbody-host.c. */
#define EXPECTED 0x3f636ea65759c3bfull

#ifndef HOST
int main(void)
{
    return nbody_bench() == EXPECTED ? 0 : 1;
}
#endif
