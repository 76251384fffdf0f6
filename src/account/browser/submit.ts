/** How every form of the account page submits: its values by name, one request at a time. */
import { byId, clearFormErrors, setFormMessage } from "./dom";

export type Values = Record<string, string>;

/** The form's text fields by name. */
function formValues(form: HTMLFormElement): Values {
  const values: Values = {};
  for (const [name, value] of new FormData(form)) if (typeof value === "string") values[name] = value;
  return values;
}

/** Submits with Enter or the button: one request at a time, the button saying what is happening. */
export function onSubmit(id: string, handler: (form: HTMLFormElement, values: Values) => Promise<void>): void {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (!button || button.disabled) return;
    clearFormErrors(form);
    const label = button.textContent;
    button.disabled = true;
    button.textContent = button.dataset.busy ?? label;
    try {
      await handler(form, formValues(form));
    } catch (error) {
      console.error(error);
      setFormMessage(form, "Something went wrong in this page. Please reload it and try again.", "error");
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
}
