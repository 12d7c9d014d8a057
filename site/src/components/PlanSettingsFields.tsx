import { useMemo } from 'react';
import { dailyMinutesChoices, type PlanSettings, type PlanSettingsErrors } from '../lib/plan-settings';
import { deviceTimeZone, TIME_OF_DAY_LABELS, TIMES_OF_DAY, timeZoneChoices } from '../lib/today';

/**
 * The daily plan's settings inside the preferences form: time zone (typed or picked
 * from the browser's list, checked before saving), time of day, minutes a day.
 */
export default function PlanSettingsFields({
  value,
  errors,
  sessionMinutes,
  onChange,
}: {
  value: PlanSettings;
  errors: PlanSettingsErrors;
  /** The session length answered above: the daily minutes when none are chosen. */
  sessionMinutes: number | undefined;
  onChange: (field: keyof PlanSettings, value: string) => void;
}) {
  const device = useMemo(deviceTimeZone, []);
  const zones = useMemo(() => timeZoneChoices(device, value.timeZone), [device]);
  const describedBy = (id: keyof PlanSettings, help: boolean) =>
    [help ? `plan-${id}-help` : '', errors[id] ? `plan-${id}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <section className="plan-settings" aria-labelledby="plan-settings-title">
      <h2 id="plan-settings-title">Your daily plan</h2>
      <p className="question-help">
        <a href="/today/">Today’s plan</a> is made from these. Changes apply from the next day’s plan.
      </p>

      <div className="field">
        <label htmlFor="plan-timeZone">Time zone</label>
        <p id="plan-timeZone-help" className="question-help">
          When your day starts, for daily plans and weekly summaries.
          {device ? ` This device is set to ${device}.` : ''}
        </p>
        <input
          id="plan-timeZone"
          type="text"
          list="plan-time-zones"
          autoComplete="off"
          spellCheck={false}
          value={value.timeZone}
          aria-describedby={describedBy('timeZone', true)}
          aria-invalid={errors.timeZone ? true : undefined}
          onChange={(event) => onChange('timeZone', event.target.value)}
        />
        <datalist id="plan-time-zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        {errors.timeZone ? (
          <p id="plan-timeZone-error" className="field-error">
            {errors.timeZone}
          </p>
        ) : null}
      </div>

      <fieldset className="field plan-time" aria-describedby={describedBy('preferredTime', false)}>
        <legend>Preferred time of day</legend>
        <div className="plan-time-options">
          {(['', ...TIMES_OF_DAY] as const).map((time) => (
            <label key={time || 'any'} className="chip">
              <input
                type="radio"
                name="preferredTime"
                value={time}
                checked={value.preferredTime === time}
                onChange={() => onChange('preferredTime', time)}
              />
              {time === '' ? 'Any time' : TIME_OF_DAY_LABELS[time]}
            </label>
          ))}
        </div>
        {errors.preferredTime ? (
          <p id="plan-preferredTime-error" className="field-error">
            {errors.preferredTime}
          </p>
        ) : null}
      </fieldset>

      <div className="field">
        <label htmlFor="plan-dailyMinutes">Minutes a day</label>
        <select
          id="plan-dailyMinutes"
          value={value.dailyMinutes}
          aria-describedby={describedBy('dailyMinutes', false)}
          aria-invalid={errors.dailyMinutes ? true : undefined}
          onChange={(event) => onChange('dailyMinutes', event.target.value)}
        >
          <option value="">{sessionMinutes ? `Same as a session (${sessionMinutes} min)` : 'Same as a session'}</option>
          {dailyMinutesChoices(value.dailyMinutes).map((minutes) => (
            <option key={minutes} value={String(minutes)}>
              {minutes} min
            </option>
          ))}
        </select>
        {errors.dailyMinutes ? (
          <p id="plan-dailyMinutes-error" className="field-error">
            {errors.dailyMinutes}
          </p>
        ) : null}
      </div>
    </section>
  );
}
