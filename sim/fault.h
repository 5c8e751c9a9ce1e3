/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU_FAULT_QUEUE_ALLOC: fault queue objects and their fds (fault.c). */
#ifndef IOFD_SIM_FAULT_H
#define IOFD_SIM_FAULT_H

#include "iommufd.h"

int sim_fault_alloc(struct sim_ucmd *ucmd);
void sim_fault_destroy(struct sim_obj *obj);

#endif
