/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio-pci's side of a simulated PCI device (vfio_pci.c): its regions
 * (config space, BARs as memory, mmap), its information ioctls, and its
 * interrupts (VFIO_DEVICE_SET_IRQS, and the device raising them).
 */
#ifndef IOFD_SIM_VFIO_PCI_H
#define IOFD_SIM_VFIO_PCI_H

#include "topology.h"

/* vfio-pci's device ioctls (GET_INFO, GET_REGION_INFO, GET_IRQ_INFO,
 * SET_IRQS, RESET); -ENOTTY for others. */
int sim_vpci_ioctl(struct iofd_sim *sim, struct sim_dev *dev, unsigned int cmd, uint64_t arg);
/* pread/pwrite at @pos of the device fd (VFIO_PCI_INDEX_TO_OFFSET). */
ssize_t sim_vpci_rw(struct iofd_sim *sim, struct sim_dev *dev, uint64_t buf, size_t len,
		    uint64_t pos, bool write);
/* mmap of a BAR at @pos of the device fd. */
int sim_vpci_mmap(struct iofd_sim *sim, struct sim_dev *dev, void **ret, size_t len, int prot,
		  int flags, uint64_t pos);
/* The device's last fd closed (vfio_pci_core_close_device()): interrupts off. */
void sim_vpci_close(struct iofd_sim *sim, struct sim_dev *dev);
/* At iofd_sim_free(). */
void sim_vpci_free_all(struct iofd_sim *sim);

#endif
