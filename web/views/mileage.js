// The mileage a customer tells during a follow-up call (docs/scheduler.md): a field on
// the task view posting to POST /api/vehicles/{id}/mileage, which stores the reading and
// answers with the vehicle's next maintenance recomputed at once, shown under the field.
// The vehicle is the task's own; a task without one (a win-back call) offers the
// customer's vehicles from the card.

import { post } from "../api.js";
import { h, fill } from "../dom.js";
import { formatDate, formatNumber, locale, t } from "../i18n.js";
import { errorBox, noticeBox } from "../messages.js";

const MAX_KM = 2000000; // as the server's check

function vehicleName(vehicle) {
  return [vehicle.plate, vehicle.model, vehicle.vin].filter(Boolean).join(" · ") || `#${vehicle.id}`;
}

export class MileageForm {
  constructor() {
    this.el = h("section", { class: "panel mileage-panel", testid: "mileage-panel", hidden: true,
                             "aria-labelledby": "mileage-heading" });
    this.vehicles = [];
    this.draft = { vehicle: "", km: "" }; // kept across renders (a call's events, the language)
    this.result = null; // the server's answer to the last reading
    this.error = null;
    this.saving = false;
    this.drawn = null; // what update() last drew: the language and the vehicles
  }

  /** The vehicles the reading may be for: the task's, else the card's. Drawn again only
   *  when they or the language changed (a call's events must not take the field's focus). */
  update(task, card) {
    const own = task?.vehicle?.id;
    const vehicles = own ? [card?.vehicles?.find((v) => v.id === own) ?? task.vehicle]
      : card?.vehicles ?? [];
    const drawn = `${locale()} ${vehicles.map((v) => `${v.id}:${vehicleName(v)}`).join()}`;
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    this.vehicles = vehicles;
    this.render();
  }

  async save(event) {
    event.preventDefault();
    const f = event.currentTarget.elements;
    const vehicleId = Number(f.vehicle.value);
    const km = Number(f.km.value);
    this.draft = { vehicle: f.vehicle.value, km: "" };
    this.saving = true;
    this.render();
    try {
      this.result = { km, ...(await post(`/api/vehicles/${vehicleId}/mileage`, { km })) };
      this.error = null;
    } catch (error) {
      this.error = error;
    }
    this.saving = false;
    this.render();
  }

  render() {
    this.el.hidden = this.vehicles.length === 0;
    const answer = this.result;
    fill(this.el,
      h("h2", { id: "mileage-heading" }, t("task.mileage.heading")),
      h("form", { class: "mileage-form", testid: "mileage-form", onsubmit: (e) => this.save(e) },
        this.vehicles.length === 1
          ? h("input", { type: "hidden", name: "vehicle", value: String(this.vehicles[0].id) })
          : h("div", { class: "field" },
            h("label", { for: "mileage-vehicle" }, t("task.mileage.vehicle")),
            h("select", { id: "mileage-vehicle", name: "vehicle", testid: "mileage-vehicle",
                          onchange: (e) => { this.draft.vehicle = e.target.value; } },
              this.vehicles.map((v) => h("option", { value: String(v.id),
                                                     selected: String(v.id) === this.draft.vehicle },
              vehicleName(v))))),
        h("div", { class: "field" },
          h("label", { for: "mileage-km" }, this.vehicles.length === 1
            ? t("task.mileage.label_of", { vehicle: vehicleName(this.vehicles[0]) })
            : t("task.mileage.label")),
          h("input", { id: "mileage-km", name: "km", type: "number", min: 0, max: MAX_KM, step: 1,
                       required: true, inputmode: "numeric", testid: "mileage-km",
                       value: this.draft.km, oninput: (e) => { this.draft.km = e.target.value; } })),
        h("button", { type: "submit", class: "button-primary", testid: "mileage-save",
                      disabled: this.saving }, t("task.mileage.save"))),
      this.error && errorBox(this.error, "mileage-error"),
      answer && noticeBox(t("task.mileage.saved", {
        km: formatNumber(answer.km),
        due: answer.vehicle.maintenance_due ? formatDate(answer.vehicle.maintenance_due) : t("app.unknown"),
        next: answer.customer.next_maintenance_date
          ? formatDate(answer.customer.next_maintenance_date) : t("app.unknown"),
      }), { testid: "mileage-result", kind: "ok" }));
  }
}
