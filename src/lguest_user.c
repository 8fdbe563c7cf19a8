// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/lguest, the Launcher's handle on a Guest.
 *
 * The Launcher writes requests (arrays of 32-bit words, the first being the
 * request number) and reads to run the Guest.  The very first write must be
 * LHREQ_INITIALIZE, which creates the Guest; closing the file destroys it.
 * ABI.md section 11 is the contract; doc/DESIGN.md lists the errors.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/trapnr.h>
#include "lg.h"

static atomic64_t lg_cpu_ids = ATOMIC64_INIT(0);
static struct dentry *lg_debugfs_root;

/* ---- Registers by their offset in the i386 struct pt_regs. */

struct reg_slot {
	size_t offset;		/* in struct lg_regs */
	bool writable;
};

#define REG(abi, field, w) \
	[(abi) / 4] = { offsetof(struct lg_regs, field) + 1, w }
static const struct reg_slot reg_table[] = {
	REG(LG_REG_EBX, ebx, true),	REG(LG_REG_ECX, ecx, true),
	REG(LG_REG_EDX, edx, true),	REG(LG_REG_ESI, esi, true),
	REG(LG_REG_EDI, edi, true),	REG(LG_REG_EBP, ebp, true),
	REG(LG_REG_EAX, eax, true),	REG(LG_REG_DS, ds, false),
	REG(LG_REG_ES, es, false),	REG(LG_REG_FS, fs, false),
	REG(LG_REG_GS, gs, false),	REG(LG_REG_EIP, eip, true),
	REG(LG_REG_CS, cs, false),	REG(LG_REG_EFLAGS, eflags, false),
	REG(LG_REG_ESP, esp, true),	REG(LG_REG_SS, ss, false),
};

/* The register at ABI offset @off, or NULL (the +1 above marks used slots). */
static u32 *reg_at(struct lg_cpu *cpu, u32 off, bool for_write)
{
	const struct reg_slot *slot;

	if (off % 4 || off / 4 >= ARRAY_SIZE(reg_table))
		return NULL;
	slot = &reg_table[off / 4];
	if (!slot->offset || (for_write && !slot->writable))
		return NULL;
	return (u32 *)((char *)&cpu->regs + slot->offset - 1);
}

/*
 * What read() hands over when the Guest needs the Launcher: the pending
 * exit and, if the buffer has room (struct lguest_exit), every register
 * GETREG could have given, so the Launcher asks for none of them; and, to
 * a Launcher that has us hold port writes, those we held (H310).
 */
ssize_t lg_copy_exit(struct lg_cpu *cpu, char __user *user, size_t size)
{
	struct lguest_exit e = { .pending = cpu->pending };
	size_t n = min(size, sizeof(e.pending));
	unsigned int i;
	ssize_t writes;

	if (size >= sizeof(e)) {
		for (i = 0; i < LG_REG_WORDS; i++) {
			const u32 *reg = reg_at(cpu, i * 4, false);

			e.regs[i] = reg ? *reg : 0;
		}
		n = sizeof(e);
	}
	if (copy_to_user(user, &e, n))
		goto unread;
	if (!cpu->lg->nr_held_ports)
		return n;
	/* lg_dev_read() made sure there is room. */
	writes = lg_copy_held_writes(cpu, user + n);
	if (writes < 0)
		goto unread;
	return n + writes;

unread:
	/* A buffer we could not fill loses nothing: the next read() gets it. */
	cpu->has_pending = true;
	return -EFAULT;
}

/* ---- Statistics in debugfs. */

static int stats_show(struct seq_file *m, void *unused)
{
	struct lguest *lg = m->private;
	const struct lg_stats *s = &lg->cpu.stats;
	unsigned int v;

	seq_printf(m, "exits %llu\nhypercalls %llu\nasync_hypercalls %llu\n",
		   s->exits, s->hypercalls, s->async_hypercalls);
	seq_printf(m, "launcher_exits %llu\npage_faults %llu\n",
		   s->launcher_exits, s->page_faults);
	seq_printf(m, "irqs_delivered %llu\nhalts %llu\naborted_entries %llu\n",
		   s->irqs_delivered, s->halts, s->aborted_entries);
	seq_printf(m, "new_pgtables %llu\npgtable_misses %llu\n",
		   s->new_pgtables, s->pgtable_misses);
	seq_printf(m, "demand_fixed %llu\n", s->demand_fixed);
	seq_printf(m, "fast_page_faults %llu\n", s->fast_page_faults);
	seq_printf(m, "faulted_around %llu\n", s->faulted_around);
	seq_printf(m, "held_port_writes %llu\n", s->held_port_writes);
	seq_printf(m, "isr_reads %llu\n", s->isr_reads);
	seq_printf(m, "debugreg_moves %llu\n", s->debugreg_moves);
	seq_printf(m, "pins %lu\npins_peak %lu\n", lg->pins_held, lg->pins_peak);
	seq_printf(m, "guest_paging %s\n",
		   lg->cpu.linear ? "none" : lg->guest_pae ? "pae" : "2level");
	/* The ring's calls are counted in both columns: one hypercall each. */
	for (v = 0; v < ARRAY_SIZE(s->hcalls); v++)
		if (s->hcalls[v])
			seq_printf(m, "hcall %u %llu async %llu\n", v,
				   s->hcalls[v], s->hcalls_async[v]);
	for (v = 0; v < ARRAY_SIZE(s->traps); v++)
		if (s->traps[v])
			seq_printf(m, "trap %#04x %llu\n", v, s->traps[v]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/*
 * The counters' file is named by the Launcher's process ID, which is where
 * a Launcher looks for its own.  A process can run more than one Guest,
 * and a process in another PID namespace can have the same ID: the second
 * and later ones get the Guest's number after it, instead of an error in
 * the log and no file.  The lock only keeps two new Guests from picking
 * the same free name; nothing under it waits on user memory.
 */
static DEFINE_MUTEX(lg_debugfs_lock);

static void add_debugfs(struct lguest *lg)
{
	struct dentry *taken;
	char name[32];

	if (IS_ERR_OR_NULL(lg_debugfs_root))
		return;
	mutex_lock(&lg_debugfs_lock);
	snprintf(name, sizeof(name), "%d", task_tgid_vnr(current));
	taken = debugfs_lookup(name, lg_debugfs_root);
	if (taken) {
		dput(taken);
		snprintf(name, sizeof(name), "%d-%llu", task_tgid_vnr(current),
			 (unsigned long long)lg->cpu.id);
	}
	lg->debugfs = debugfs_create_file(name, 0400, lg_debugfs_root, lg,
					  &stats_fops);
	mutex_unlock(&lg_debugfs_lock);
}

/* ---- Creating and destroying a Guest. */

/*> H011
 * Every page of Guest RAM may end up pinned for the Guest's whole life
 * (H415), where no reclaim can reach it: that is locked memory, as VFIO
 * and io_uring count theirs.  So INITIALIZE charges the whole of RAM to
 * the Launcher's locked_vm at once, and fails with ENOMEM past its
 * RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK (root has).  The charge is
 * taken back when the Guest goes, if the address space is still there.
 */
static int charge_locked(struct lguest *lg)
{
	int err = account_locked_vm(current->mm, lg->pfn_limit, true);

	if (!err)
		lg->locked_pages = lg->pfn_limit;
	return err;
}

static void uncharge_locked(struct lguest *lg)
{
	if (!lg->locked_pages || !mmget_not_zero(lg->mm))
		return;
	account_locked_vm(lg->mm, lg->locked_pages, false);
	mmput(lg->mm);
}

static void free_guest(struct lguest *lg)
{
	uncharge_locked(lg);
	debugfs_remove(lg->debugfs);
	lg_timer_exit(&lg->cpu);
	lg_pagetables_free(lg);
	fpu_free_guest_fpstate(&lg->cpu.fpu);
	if (lg->cpu.task)
		put_task_struct(lg->cpu.task);
	if (lg->mm)
		mmdrop(lg->mm);
	kvfree(lg);
}

/*
 * Anonymous or shared memory (shmem, memfd) only: a regular file's pages
 * must not be pinned for writing (compat/pin.h), and device mappings have
 * no pages to pin.
 */
static bool may_hold_guest_memory(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return false;
	if (vma_is_anonymous(vma))
		return true;
	return vma->vm_file && shmem_mapping(vma->vm_file->f_mapping);
}

/*
 * Is [start, end) of the Launcher's address space entirely mapped, by
 * mappings that may hold guest memory?  0, -EFAULT or -EINVAL.  The
 * Launcher can map something else there later; each page is checked
 * again when it is first pinned (page_tables.c, H415).
 */
static int check_launcher_range(unsigned long start, unsigned long end)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr = start;
	int err = 0;

	mmap_read_lock(mm);
	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start > addr) {
			err = -EFAULT;
			break;
		}
		if (!may_hold_guest_memory(vma)) {
			err = -EINVAL;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return err;
}

/*> H010
 * LHREQ_INITIALIZE: where the Launcher put guest memory (base), how much of
 * it is RAM (pfn_limit pages), where the Guest starts, and where the device
 * pages after RAM end.  We check all of it before building anything: the
 * range must lie entirely in user space and be mapped in the Launcher, by
 * anonymous or shared memory.
 */
static int check_init_args(const u32 *args)
{
	unsigned long base = args[0], pfn_limit = args[1];
	unsigned long start = args[2], device_limit = args[3];

	if (base & ~PAGE_MASK || !pfn_limit || device_limit < pfn_limit)
		return -EINVAL;
	/* This also keeps the shifts below from overflowing. */
	if (base >= TASK_SIZE ||
	    device_limit > (TASK_SIZE - base) >> PAGE_SHIFT)
		return -EINVAL;
	if (start >= pfn_limit << PAGE_SHIFT)
		return -EINVAL;
	return check_launcher_range(base, base + (device_limit << PAGE_SHIFT));
}

static int initialize(struct file *file, const u32 __user *input, size_t len)
{
	struct lguest *lg;
	u32 args[4];
	int err;

	if (len < sizeof(args) || copy_from_user(args, input, sizeof(args)))
		return -EINVAL;
	err = check_init_args(args);
	if (err)
		return err;

	lg = kvzalloc(sizeof(*lg), GFP_KERNEL_ACCOUNT);
	if (!lg)
		return -ENOMEM;
	mutex_init(&lg->lock);
	lg->mem_base = args[0];
	lg->pfn_limit = args[1];
	lg->device_limit = args[3];
	lg->cpu.lg = lg;
	lg->cpu.id = atomic64_inc_return(&lg_cpu_ids);
	lg->cpu.last_host_cpu = -1;
	lg_timer_init(&lg->cpu);

	err = lg_pagetables_init(lg);
	if (err)
		goto free;
	if (!fpu_alloc_guest_fpstate(&lg->cpu.fpu)) {
		err = -ENOMEM;
		goto free;
	}
	lg_setup_guest_gdt(&lg->cpu);
	lg_init_cpu_regs(&lg->cpu, args[2]);
	lg->cpu.task = get_task_struct(current);
	lg->mm = current->mm;
	mmgrab(lg->mm);
	err = charge_locked(lg);
	if (err)
		goto free;

	/*
	 * Readers take it without a lock: publish it complete, and only
	 * once.  Of two threads initializing the same file, the one that
	 * comes second throws its Guest away.
	 */
	if (cmpxchg_release(&file->private_data, NULL, lg)) {
		err = -EBUSY;
		goto free;
	}
	add_debugfs(lg);
	return sizeof(args);

free:
	free_guest(lg);
	return err;
}

/*> H012
 * Every address the Launcher gives us (where guest memory starts, where
 * an interrupt status byte lives) means something only in the address
 * space it was given in, and we use them in whichever address space is
 * current when the Guest runs or a request comes.  Those need not be the
 * same: the file can be passed to another process, inherited across
 * fork(), or kept open across exec(), and the task that read() checks for
 * stays the same task through an exec().  A Launcher that left its
 * /dev/lguest open and exec'd a setuid program that reads its standard
 * input would otherwise run its Guest on that program's memory.  So the
 * Guest belongs to the address space that created it, held by mmgrab()
 * so that its struct cannot be freed and its address handed to another,
 * and every read() and write() from any other address space is EPERM.
 */
static bool from_guest_mm(const struct lguest *lg)
{
	return current->mm == lg->mm;
}

/* ---- write(): requests. */

static int get_args(const u32 __user *input, size_t len, u32 *args,
		    unsigned int n)
{
	if (len < n * sizeof(u32) ||
	    copy_from_user(args, input, n * sizeof(u32)))
		return -EINVAL;
	return 0;
}

static ssize_t do_request(struct lguest *lg, u32 req, const u32 __user *in,
			  size_t len)
{
	struct lg_cpu *cpu = &lg->cpu;
	u32 args[2];
	u32 *reg;

	switch (req) {
	case LHREQ_IRQ:
		if (get_args(in, len, args, 1) || args[0] >= LGUEST_IRQS)
			return -EINVAL;
		lg_raise_irq(cpu, args[0]);
		return 0;
	case LHREQ_GETREG:
		if (get_args(in, len, args, 1))
			return -EINVAL;
		reg = reg_at(cpu, args[0], false);
		if (!reg)
			return -ENOENT;
		cpu->reg_value = *reg;
		cpu->has_reg_value = true;
		return 2 * sizeof(u32);
	case LHREQ_SETREG:
		if (get_args(in, len, args, 2))
			return -EINVAL;
		reg = reg_at(cpu, args[0], true);
		if (!reg)
			return -ENOENT;
		*reg = args[1];
		return 3 * sizeof(u32);
	case LHREQ_TRAP:
		if (get_args(in, len, args, 1))
			return -EINVAL;
		if (!lg_deliver_trap(cpu, args[0]))
			return -EINVAL;
		/*
		 * A #DB from the Launcher ends an instruction it carried out
		 * under the Guest's TF, as lg_step_past() ends ours.
		 */
		if (args[0] == X86_TRAP_DB)
			cpu->dr6 = DR_STEP;
		return lg->dead ? -ENOENT : 0;
	case LHREQ_HOLD_PORTS:
		if (get_args(in, len, args, 2))
			return -EINVAL;
		return lg_hold_ports(lg, args[0], args[1]) ?: 3 * sizeof(u32);
	case LHREQ_ISR:
		if (get_args(in, len, args, 2))
			return -EINVAL;
		return lg_set_isr(lg, args[0], args[1]) ?: 3 * sizeof(u32);
	default:
		/* Including the obsolete GETDMA, BREAK and EVENTFD. */
		return -EINVAL;
	}
}

static ssize_t lg_dev_write(struct file *file, const char __user *in,
			    size_t size, loff_t *off)
{
	const u32 __user *input = (const u32 __user *)in;
	struct lguest *lg;
	u32 req;
	ssize_t ret;

	if (size < sizeof(req) || get_user(req, input))
		return -EINVAL;

	/*
	 * No lock is shared between Launchers here.  One taken for every
	 * register a Launcher reads or writes, several times per port I/O
	 * exit, made eight Linux Guests on two CPUs boot five times slower
	 * under PREEMPT_RT, where its holder can be preempted.  And one held
	 * across INITIALIZE's reads of the Launcher's memory, which can wait
	 * for as long as that memory likes (userfaultfd, FUSE), would let one
	 * Launcher keep every other from starting a Guest.
	 */
	if (req == LHREQ_INITIALIZE) {
		if (READ_ONCE(file->private_data))
			return -EBUSY;
		return initialize(file, input + 1, size - sizeof(req));
	}
	/* Pairs with initialize()'s release: a Guest seen is a whole one. */
	lg = smp_load_acquire(&file->private_data);
	if (!lg)
		return -EINVAL;
	if (!from_guest_mm(lg))
		return -EPERM;
	if (lg->dead)
		return -ENOENT;
	/* Interrupts may come from any thread, even while the Guest runs. */
	if (req == LHREQ_IRQ)
		return do_request(lg, req, input + 1, size - sizeof(req));

	if (mutex_lock_interruptible(&lg->lock))
		return -ERESTARTSYS;
	ret = do_request(lg, req, input + 1, size - sizeof(req));
	mutex_unlock(&lg->lock);
	return ret;
}

/* ---- read(): run the Guest, or collect what it left us. */

static ssize_t read_death(struct lguest *lg, char __user *user, size_t size)
{
	size_t len = min(size, strlen(lg->dead) + 1);

	if (lg->restart)
		return -ERESTART;
	if (copy_to_user(user, lg->dead, len))
		return -EFAULT;
	return len;
}

static ssize_t lg_dev_read(struct file *file, char __user *user, size_t size,
			   loff_t *off)
{
	/* As in lg_dev_write(): a Guest seen is a whole one. */
	struct lguest *lg = smp_load_acquire(&file->private_data);
	struct lg_cpu *cpu;
	ssize_t ret;

	if (!lg)
		return -EINVAL;
	cpu = &lg->cpu;
	if (current != cpu->task || !from_guest_mm(lg))
		return -EPERM;
	if (*off != 0)
		return -EINVAL;	/* one virtual CPU, number 0 */

	if (mutex_lock_interruptible(&lg->lock))
		return -ERESTARTSYS;
	if (lg->dead && !cpu->nr_held && !cpu->death_untold) {
		ret = read_death(lg, user, size);
	} else if (cpu->has_reg_value) {
		cpu->has_reg_value = false;
		ret = min(size, sizeof(cpu->reg_value));
		if (copy_to_user(user, &cpu->reg_value, ret))
			ret = -EFAULT;
	} else if (lg->nr_held_ports && size < sizeof(struct lguest_exit_writes)) {
		/* It asked us to hold writes: it must have room for them. */
		ret = -EINVAL;
	} else {
		ret = run_guest(cpu, user, size);
	}
	mutex_unlock(&lg->lock);
	return ret;
}

/* misc_open() leaves the miscdevice here; a file starts without a Guest. */
static int lg_dev_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return 0;
}

static int lg_dev_release(struct inode *inode, struct file *file)
{
	struct lguest *lg = file->private_data;

	if (lg)
		free_guest(lg);
	return 0;
}

static const struct file_operations lg_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= lg_dev_open,
	.read		= lg_dev_read,
	.write		= lg_dev_write,
	.release	= lg_dev_release,
	.llseek		= default_llseek,
};

static struct miscdevice lg_dev = {
	.minor	= LGUEST_MISC_MINOR,
	.name	= "lguest",
	.fops	= &lg_dev_fops,
};

int lg_user_init(void)
{
	int err = misc_register(&lg_dev);

	if (err) {
		pr_err("lguest: cannot register misc device %d: %d\n",
		       LGUEST_MISC_MINOR, err);
		return err;
	}
	lg_debugfs_root = debugfs_create_dir("lguest", NULL);
	return 0;
}

void lg_user_exit(void)
{
	debugfs_remove_recursive(lg_debugfs_root);
	misc_deregister(&lg_dev);
}
