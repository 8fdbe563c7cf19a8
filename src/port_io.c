// SPDX-License-Identifier: GPL-2.0
/*
 * port_io.c - "out" instructions we hold for the Launcher instead of
 * stopping the Guest for each one.
 */
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>
#include "lg.h"

static bool hold_port_writes = true;
module_param(hold_port_writes, bool, 0444);
MODULE_PARM_DESC(hold_port_writes,
		 "hold the Guest's writes to the ports its Launcher names until its next exit (default 1)");

/*> H310
 * Every "in" or "out" of the Guest kernel is a #GP that goes to the
 * Launcher, a round trip through user space that costs two or three
 * hypercalls.  A real Linux Guest makes tens of thousands of them while it
 * boots, nearly all writes: until its virtio console is up, each character
 * it prints is eight port writes, four pairs of "select a config register
 * at 0xCF8, write it at 0xCFC", into the console's configuration access
 * window (lguest_abi.h section 10).
 *
 * A write needs no answer, so the Guest need not wait for it.  The
 * Launcher names the ports whose writes may wait (LHREQ_HOLD_PORTS); we
 * emulate the "out" as far as the Guest can see (step over it) and keep
 * port, size and value here, in order.  The Launcher gets them with its
 * next exit, whatever that is, and carries them out before that exit; an
 * "in" of any port, or an access to a device page, is such an exit, so
 * nothing the Guest asks of a device can see the device before the writes
 * that came first.  What the Guest could notice is time: a write's effect
 * comes later than it would have.  So we do not hold them long: when the
 * list is full the next write goes out the ordinary way, taking the
 * others with it; when the Guest halts (it may be waiting for what the
 * writes start) or dies (they may be its last words), or when the oldest
 * has waited LG_HOLD_MS, the Launcher gets an exit that brings only the
 * writes (LGUEST_EXIT_WRITES).  Milliseconds, not jiffies, so that the
 * bound does not move with the Host kernel's HZ; the clock we read still
 * ticks in jiffies, so the wait is LG_HOLD_MS rounded up to whole jiffies,
 * less up to one (exactly two jiffies, 4-8 ms, at Debian's HZ=250).
 */
#define LG_HOLD_MS		8

/*
 * LHREQ_HOLD_PORTS: a few ranges per Guest, never taken back.  With the
 * module parameter off we say so, and the Launcher goes on without.
 */
int lg_hold_ports(struct lguest *lg, u32 first, u32 last)
{
	if (!hold_port_writes)
		return -EOPNOTSUPP;
	if (first > last || last > 0xFFFF)
		return -EINVAL;
	if (lg->nr_held_ports == LGUEST_HOLD_RANGES)
		return -ENOSPC;
	lg->held_ports[lg->nr_held_ports].first = first;
	lg->held_ports[lg->nr_held_ports].last = last;
	lg->nr_held_ports++;
	return 0;
}

static bool port_is_held(const struct lguest *lg, u32 port, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < lg->nr_held_ports; i++)
		if (port >= lg->held_ports[i].first &&
		    port + size - 1 <= lg->held_ports[i].last)
			return true;
	return false;
}

struct out_insn {
	unsigned int len;	/* bytes, the operand-size prefix included */
	unsigned int size;	/* bytes written: 1, 2 or 4 */
	u32 port;
};

/*
 * The four "out" opcodes (SDM vol. 2, OUT): E6 ib and E7 ib name the port
 * in the instruction, EE and EF take it from %dx; E6 and EE write %al, E7
 * and EF %eax, or %ax after a 0x66 prefix.  Anything else (other prefixes,
 * the string forms) goes to the Launcher as it is.
 */
static bool decode_out(const u8 insn[3], u32 edx, struct out_insn *out)
{
	unsigned int at = insn[0] == 0x66 ? 1 : 0;
	unsigned int wide = at ? 2 : 4;

	switch (insn[at]) {
	case 0xE6:
	case 0xE7:
		out->port = insn[at + 1];
		out->len = at + 2;
		break;
	case 0xEE:
	case 0xEF:
		out->port = edx & 0xFFFF;
		out->len = at + 1;
		break;
	default:
		return false;
	}
	out->size = insn[at] & 1 ? wide : 1;
	return true;
}

/*
 * A #GP from the Guest kernel with error code 0, and the first bytes of its
 * instruction (at least three): if it is an "out" to a held port and there
 * is room, hold it and step the Guest over it.
 */
bool lg_hold_port_write(struct lg_cpu *cpu, const u8 *insn)
{
	struct lguest_port_write *w;
	struct out_insn out;

	if (!cpu->lg->nr_held_ports || cpu->nr_held == LGUEST_HELD_WRITES)
		return false;
	if (!decode_out(insn, cpu->regs.edx, &out) ||
	    !port_is_held(cpu->lg, out.port, out.size))
		return false;

	w = &cpu->held[cpu->nr_held];
	w->port = out.port;
	w->size = out.size;
	w->zero = 0;
	w->value = out.size == 4 ? cpu->regs.eax :
		   cpu->regs.eax & ((1U << (8 * out.size)) - 1);
	if (!cpu->nr_held++)
		cpu->held_since = jiffies;
	cpu->stats.held_port_writes++;
	lg_step_past(cpu, out.len);
	return true;
}

/* Whether the run loop must hand the writes over before it goes on. */
bool lg_held_writes_due(struct lg_cpu *cpu)
{
	if (!cpu->nr_held)
		return false;
	return cpu->halted ||
	       time_after_eq(jiffies, cpu->held_since + msecs_to_jiffies(LG_HOLD_MS));
}

/* An exit that brings the Launcher nothing but the writes. */
void lg_exit_for_writes(struct lg_cpu *cpu)
{
	memset(&cpu->pending, 0, sizeof(cpu->pending));
	cpu->pending.trap = LGUEST_EXIT_WRITES;
	cpu->has_pending = true;
	cpu->stats.launcher_exits++;
}

/*
 * The writes, after the struct lguest_exit at "user": they are the
 * Launcher's once they are there, not before.
 */
ssize_t lg_copy_held_writes(struct lg_cpu *cpu, char __user *user)
{
	u32 nr = cpu->nr_held;
	size_t len = nr * sizeof(cpu->held[0]);

	BUILD_BUG_ON(offsetof(struct lguest_exit_writes, nr_writes) !=
		     sizeof(struct lguest_exit));
	if (put_user(nr, (u32 __user *)user) ||
	    copy_to_user(user + sizeof(nr), cpu->held, len))
		return -EFAULT;
	cpu->nr_held = 0;
	return sizeof(nr) + len;
}
