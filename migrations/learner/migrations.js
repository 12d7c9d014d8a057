import journal from './meta/_journal.json';
import m0000 from './0000_create_learner_tables.sql';
import m0001 from './0001_token_epoch.sql';
import m0002 from './0002_recommendation_offers.sql';
import m0003 from './0003_consent.sql';
import m0004 from './0004_pending_notices.sql';
import m0005 from './0005_daily_plans.sql';
import m0006 from './0006_weekly_summaries.sql';
import m0007 from './0007_conversations.sql';
import m0008 from './0008_answer_feedback.sql';
import m0009 from './0009_experiment_assignments.sql';
import m0010 from './0010_offer_options.sql';
import m0011 from './0011_placement_sessions.sql';
import m0012 from './0012_card_decay.sql';
import m0013 from './0013_offer_outcomes.sql';
import m0014 from './0014_course_preferences.sql';

  export default {
    journal,
    migrations: {
      m0000,
m0001,
m0002,
m0003,
m0004,
m0005,
m0006,
m0007,
m0008,
m0009,
m0010,
m0011,
m0012,
m0013,
m0014
    }
  }
  